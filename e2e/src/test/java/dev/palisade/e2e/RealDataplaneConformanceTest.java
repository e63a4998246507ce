package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.demo.DemoBackend;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Protocol;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.ProbeResult;
import dev.palisade.scenario.Reachability;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioResult;
import dev.palisade.scenario.ScenarioRunner;
import dev.palisade.scenario.StepResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream conformance suite on the real dataplane, and the agreement between the dataplane
 * and the reference evaluator: every scenario runs on one network-namespace cluster (converged
 * from one scenario to the next) with real agents and real probes.
 *
 * <ul>
 *   <li>conformance: every TCP and UDP probe matches the scenario's expected table; SCTP cannot
 *       be probed on this kernel, so its cells must all be reported unsupported (the offline
 *       suite checks SCTP expectations);
 *   <li>agreement: every observed TCP and UDP cell equals {@code palisade matrix} on the same
 *       file, whether or not the table checks it. Self pairs are left out: a pod's traffic to
 *       itself never leaves its namespace, so no node enforces it.
 * </ul>
 */
@Tag("kernel")
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

  static List<Path> scenarioFiles() throws IOException {
    return UpstreamScenariosTest.scenarioFiles();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioFiles")
  void matchesTheExpectationsAndTheEvaluator(Path file) {
    ScenarioResult real = new ScenarioRunner(cluster).run(new ScenarioParser().parse(file));
    ScenarioResult offline = new ScenarioRunner().run(new ScenarioParser().parse(file));

    List<String> problems = new ArrayList<>();
    for (int s = 0; s < real.steps().size(); s++) {
      StepResult realStep = real.steps().get(s);
      StepResult offlineStep = offline.steps().get(s);
      for (int p = 0; p < realStep.probes().size(); p++) {
        ProbeResult probe = realStep.probes().get(p);
        String where = "step '" + realStep.name() + "' probe " + probe.observed().port();
        if (probe.observed().port().protocol() == Protocol.SCTP) {
          allUnsupported(probe.observed(), where, problems);
        } else {
          probe.mismatches().forEach(mismatch -> problems.add(where + ": " + mismatch));
          agree(probe.observed(), offlineStep.probes().get(p).observed(), where, problems);
        }
      }
    }
    assertThat(problems).as("%s on the real dataplane", file).isEmpty();
  }

  private static void allUnsupported(Matrix observed, String where, List<String> problems) {
    observed.cells().forEach((source, row) -> row.forEach((destination, found) -> {
      if (found != Reachability.UNSUPPORTED) {
        problems.add(where + ": " + source + " -> " + destination + " was " + found.word()
            + ", but SCTP cannot be probed here");
      }
    }));
  }

  private static void agree(Matrix real, Matrix evaluator, String where, List<String> problems) {
    assertThat(real.pods()).as(where + ": endpoints").isEqualTo(evaluator.pods());
    for (ObjectRef source : real.pods()) {
      for (ObjectRef destination : real.pods()) {
        Reachability observed = real.get(source, destination).orElseThrow();
        Reachability expected = evaluator.get(source, destination).orElseThrow();
        if (!source.equals(destination) && observed != expected) {
          problems.add(where + ": " + source + " -> " + destination + ": dataplane "
              + observed.word() + ", evaluator " + expected.word());
        }
      }
    }
  }
}
