package dev.palisade.model;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableSortedSet;
import java.util.Map;

/**
 * One {@code matchExpressions} entry. "NotIn" and "DoesNotExist" match objects that lack the key
 * (Kubernetes label selector semantics).
 */
public record LabelRequirement(String key, Operator operator, ImmutableSortedSet<String> values) {

  public enum Operator {
    IN("In"),
    NOT_IN("NotIn"),
    EXISTS("Exists"),
    DOES_NOT_EXIST("DoesNotExist");

    private final String apiName;

    Operator(String apiName) {
      this.apiName = apiName;
    }

    public String apiName() {
      return apiName;
    }

    /** The operator for its Kubernetes API spelling, or null when there is none. */
    public static Operator fromApiName(String name) {
      for (Operator operator : values()) {
        if (operator.apiName.equals(name)) {
          return operator;
        }
      }
      return null;
    }
  }

  public LabelRequirement {
    checkArgument(key != null && !key.isEmpty(), "label key must not be empty");
    checkArgument(operator != null, "operator must be set");
    values = values == null ? ImmutableSortedSet.of() : ImmutableSortedSet.copyOf(values);
    // The API server rejects these shapes; refusing them here keeps matching total.
    switch (operator) {
      case IN, NOT_IN -> checkArgument(!values.isEmpty(),
          "operator %s on key %s needs at least one value", operator.apiName(), key);
      case EXISTS, DOES_NOT_EXIST -> checkArgument(values.isEmpty(),
          "operator %s on key %s takes no values", operator.apiName(), key);
    }
  }

  public boolean matches(Map<String, String> labels) {
    String value = labels.get(key);
    return switch (operator) {
      case IN -> value != null && values.contains(value);
      case NOT_IN -> value == null || !values.contains(value);
      case EXISTS -> value != null;
      case DOES_NOT_EXIST -> value == null;
    };
  }

  @Override
  public String toString() {
    return switch (operator) {
      case IN -> key + " in (" + String.join(",", values) + ")";
      case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
      case EXISTS -> key;
      case DOES_NOT_EXIST -> "!" + key;
    };
  }
}
