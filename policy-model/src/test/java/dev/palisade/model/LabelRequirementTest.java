package dev.palisade.model;

import static dev.palisade.model.LabelRequirement.Operator.DOES_NOT_EXIST;
import static dev.palisade.model.LabelRequirement.Operator.EXISTS;
import static dev.palisade.model.LabelRequirement.Operator.IN;
import static dev.palisade.model.LabelRequirement.Operator.NOT_IN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.model.LabelRequirement.Operator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class LabelRequirementTest {

  // "If the operator is In or NotIn, the values array must be non-empty. If the operator is
  // Exists or DoesNotExist, the values array must be empty." (LabelSelectorRequirement)
  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("In without values", "env", IN, ImmutableSortedSet.of(),
            "operator In on key env needs at least one value"),
        Arguments.of("NotIn without values", "env", NOT_IN, null,
            "operator NotIn on key env needs at least one value"),
        Arguments.of("Exists with values", "env", EXISTS, ImmutableSortedSet.of("prod"),
            "operator Exists on key env takes no values"),
        Arguments.of("DoesNotExist with values", "env", DOES_NOT_EXIST,
            ImmutableSortedSet.of("prod"), "operator DoesNotExist on key env takes no values"),
        Arguments.of("empty key", "", EXISTS, null, "label key must not be empty"),
        Arguments.of("no key", null, EXISTS, null, "label key must not be empty"),
        Arguments.of("no operator", "env", null, null, "operator must be set"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsShapesTheApiServerRejects(String name, String key, Operator operator,
      ImmutableSortedSet<String> values, String message) {
    assertThatThrownBy(() -> new LabelRequirement(key, operator, values))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  static Stream<Arguments> matching() {
    Map<String, String> prod = Map.of("env", "prod");
    Map<String, String> dev = Map.of("env", "dev");
    Map<String, String> none = Map.of("app", "web");
    return Stream.of(
        Arguments.of("In, value listed", IN, prod, true),
        Arguments.of("In, value not listed", IN, dev, false),
        Arguments.of("In, key missing", IN, none, false),
        Arguments.of("NotIn, value listed", NOT_IN, prod, false),
        Arguments.of("NotIn, value not listed", NOT_IN, dev, true),
        Arguments.of("NotIn, key missing", NOT_IN, none, true),
        Arguments.of("Exists, key present", EXISTS, dev, true),
        Arguments.of("Exists, key missing", EXISTS, none, false),
        Arguments.of("DoesNotExist, key present", DOES_NOT_EXIST, prod, false),
        Arguments.of("DoesNotExist, key missing", DOES_NOT_EXIST, none, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matching")
  void matches(String name, Operator operator, Map<String, String> labels, boolean matches) {
    ImmutableSortedSet<String> values = operator == IN || operator == NOT_IN
        ? ImmutableSortedSet.of("prod", "staging") : ImmutableSortedSet.of();

    assertThat(new LabelRequirement("env", operator, values).matches(labels))
        .isEqualTo(matches);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"In, IN", "NotIn, NOT_IN", "Exists, EXISTS", "DoesNotExist, DOES_NOT_EXIST"})
  void readsTheApiSpelling(String apiName, Operator operator) {
    assertThat(Operator.fromApiName(apiName)).isEqualTo(operator);
    assertThat(operator.apiName()).isEqualTo(apiName);
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource({"in", "Equals", "''"})
  void hasNoOperatorForOtherSpellings(String apiName) {
    assertThat(Operator.fromApiName(apiName)).isNull();
  }
}
