package dev.palisade.model;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.palisade.model.lint.Linter;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The linter must be able to read every graph valid objects make: a linter that throws takes
 * {@code palisade lint} down with a stack trace and stops the controller's findings for the whole
 * cluster. Lints after every change of long random sequences ({@link RandomChanges}), which
 * include rules that policyTypes makes the API ignore, named ports and selector peers.
 */
class LinterRandomChangesTest {
  private static final int STEPS = 300;

  static Stream<Long> seeds() {
    return LongStream.rangeClosed(1, 10).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void lintNeverThrows(long seed) {
    RandomChanges changes = new RandomChanges(seed);
    RuleGraph graph = new RuleGraph();
    Linter linter = new Linter();
    for (int step = 1; step <= STEPS; step++) {
      RandomChanges.Change change = changes.next();
      change.apply().apply(graph);
      assertThatCode(() -> linter.lint(graph))
          .as("seed %s, step %s: %s", seed, step, change).doesNotThrowAnyException();
    }
  }
}
