package dev.palisade.e2e;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lifecycle and dual-stack scenario files pass offline ({@code palisade matrix}), so their
 * tables say what the reference evaluator says; {@link LifecycleTest} and {@link DualStackTest}
 * run them on the real dataplane.
 */
class LifecycleAndDualStackOfflineTest {

  static List<Path> scenarioFiles() {
    return Stream.concat(ScenarioFiles.in("lifecycle").stream(),
        ScenarioFiles.in("dual-stack").stream()).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioFiles")
  void passesOffline(Path file) {
    OfflineMatrix.assertPasses(file);
  }
}
