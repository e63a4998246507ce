package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.DemoTestAccess;
import dev.palisade.e2e.ProbeLoop.Flow;
import dev.palisade.scenario.ScenarioRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The stage of the disruption tests, {@code lifecycle/guarded-service.yaml}: x/a (node 1) may
 * reach x/b (node 2) on TCP 80 and x/c (node 1) may not, until step 3 swaps them.
 */
final class GuardedService {
  static final Path FILE = ScenarioFiles.named("lifecycle", "guarded-service.yaml");
  static final String A = "10.244.1.10";
  static final String B = "10.244.2.10";
  static final Flow A_TO_B = new Flow("x/a", B, 80, true);
  static final Flow C_TO_B = new Flow("x/c", B, 80, false);
  /** The step that stops admitting x/a. */
  static final int TIGHTENING = 3;

  private GuardedService() {}

  /** Runs the scenario on the cluster with these disruptions; it must conform and agree. */
  static void run(DemoBackend cluster, Map<Integer, Runnable> beforeStep) {
    DisruptedBackend backend = new DisruptedBackend(cluster, beforeStep);
    DataplaneAgreement.assertConformsAndAgrees(FILE, new ScenarioRunner(backend));
    assertThat(backend.disrupted()).as("every disruption happened").isTrue();
  }

  /**
   * Runs the scenario with a long connection x/a -> x/b opened (and seen flowing) before the
   * tightening step; returns it once that step is enforced, for the caller to judge and close.
   */
  static LongConnection connectionAcrossTightening(DemoBackend cluster) {
    LongConnection[] opened = new LongConnection[1];
    try {
      run(cluster, Map.of(TIGHTENING, () -> {
        opened[0] = LongConnection.open(DemoTestAccess.lab(cluster), A_TO_B.fromPod(), B, 80);
        assertThat(opened[0].awaitEchoes(5, Duration.ofSeconds(5)))
            .as("echoes on the connection x/a -> x/b before the tightening").isTrue();
      }));
    } catch (RuntimeException | AssertionError e) {
      if (opened[0] != null) {
        opened[0].close();
      }
      throw e;
    }
    return opened[0];
  }
}
