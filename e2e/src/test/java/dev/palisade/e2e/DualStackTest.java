package dev.palisade.e2e;

import dev.palisade.demo.DemoBackend;
import dev.palisade.scenario.ScenarioRunner;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dual-stack scenario files on one real cluster: pods with IPv4 and IPv6 addresses, probed
 * in both families, conform to their tables and agree with the evaluator.
 */
@Tag("kernel")
@Tag(E2eCluster.BOTH_BACKENDS)
class DualStackTest {
  private static DemoBackend cluster;

  @BeforeAll
  static void startCluster() {
    cluster = E2eCluster.start("dual-stack", E2eCluster.standardAgentOptions());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static List<Path> scenarioFiles() {
    return ScenarioFiles.in("dual-stack");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioFiles")
  void matchesTheExpectationsAndTheEvaluator(Path file) {
    DataplaneAgreement.assertConformsAndAgrees(file, new ScenarioRunner(cluster));
  }
}
