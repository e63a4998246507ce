package dev.palisade.model;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes label selector: {@code matchLabels} and {@code matchExpressions}, combined with
 * AND. The empty selector matches everything. Values are normalized (sorted, duplicates removed)
 * so that equal selectors are equal objects and can be shared.
 */
public record LabelSelector(
    ImmutableSortedMap<String, String> matchLabels, ImmutableList<LabelRequirement> expressions) {

  public static final LabelSelector EVERYTHING =
      new LabelSelector(ImmutableSortedMap.of(), ImmutableList.of());

  public LabelSelector {
    matchLabels = ImmutableSortedMap.copyOf(matchLabels);
    expressions = ImmutableList.sortedCopyOf(
        Comparator.comparing(LabelRequirement::toString), List.copyOf(
            new java.util.LinkedHashSet<>(expressions)));
  }

  public static LabelSelector of(Map<String, String> matchLabels) {
    return new LabelSelector(ImmutableSortedMap.copyOf(matchLabels), ImmutableList.of());
  }

  public static LabelSelector of(Map<String, String> matchLabels,
      List<LabelRequirement> expressions) {
    return new LabelSelector(ImmutableSortedMap.copyOf(matchLabels),
        ImmutableList.copyOf(expressions));
  }

  public boolean matchesEverything() {
    return matchLabels.isEmpty() && expressions.isEmpty();
  }

  public boolean matches(Map<String, String> labels) {
    for (Map.Entry<String, String> required : matchLabels.entrySet()) {
      if (!required.getValue().equals(labels.get(required.getKey()))) {
        return false;
      }
    }
    for (LabelRequirement requirement : expressions) {
      if (!requirement.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** kubectl's selector syntax, e.g. {@code app=web,tier in (a,b)}; {@code {}} for everything. */
  @Override
  public String toString() {
    if (matchesEverything()) {
      return "{}";
    }
    List<String> parts = new ArrayList<>();
    matchLabels.forEach((key, value) -> parts.add(key + "=" + value));
    expressions.forEach(requirement -> parts.add(requirement.toString()));
    return String.join(",", parts);
  }
}
