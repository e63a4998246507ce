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
 * The upstream conformance suite on the real dataplane, and the agreement between the dataplane
 * and the reference evaluator (see {@link DataplaneAgreement}): every scenario runs on one
 * network-namespace cluster (converged from one scenario to the next) with real agents and real
 * probes.
 */
@Tag("kernel")
@Tag(E2eCluster.BOTH_BACKENDS)
class RealDataplaneConformanceTest {
  private static DemoBackend cluster;

  @BeforeAll
  static void startCluster() {
    cluster = E2eCluster.start("conformance", E2eCluster.standardAgentOptions());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static List<Path> scenarioFiles() {
    return UpstreamScenariosTest.scenarioFiles();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioFiles")
  void matchesTheExpectationsAndTheEvaluator(Path file) {
    DataplaneAgreement.assertConformsAndAgrees(file, new ScenarioRunner(cluster));
  }
}
