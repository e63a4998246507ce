package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.ObjectRef;
import dev.palisade.model.Protocol;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.ProbeResult;
import dev.palisade.scenario.Reachability;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioResult;
import dev.palisade.scenario.ScenarioRunner;
import dev.palisade.scenario.StepResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What is wrong with a scenario's run on the real dataplane, compared with its expectations and
 * with the reference evaluator on the same file:
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
public final class DataplaneAgreement {
  private DataplaneAgreement() {}

  /** Runs the file with the real runner and offline; asserts there is no problem. */
  public static void assertConformsAndAgrees(Path file, ScenarioRunner real) {
    ScenarioResult observed = real.run(new ScenarioParser().parse(file));
    ScenarioResult offline = new ScenarioRunner().run(new ScenarioParser().parse(file));
    assertThat(problems(observed, offline)).as("%s on the real dataplane", file).isEmpty();
  }

  /** One line per problem; empty when the real run conforms and agrees. */
  static List<String> problems(ScenarioResult real, ScenarioResult offline) {
    List<String> problems = new ArrayList<>();
    for (int s = 0; s < real.steps().size(); s++) {
      StepResult realStep = real.steps().get(s);
      StepResult offlineStep = offline.steps().get(s);
      for (int p = 0; p < realStep.probes().size(); p++) {
        ProbeResult probe = realStep.probes().get(p);
        String where = "step '" + realStep.name() + "' probe " + probe.observed().port()
            + " IPv" + probe.observed().family().number();
        if (probe.observed().port().protocol() == Protocol.SCTP) {
          allUnsupported(probe.observed(), where, problems);
        } else {
          probe.mismatches().forEach(mismatch -> problems.add(where + ": " + mismatch));
          agree(probe.observed(), offlineStep.probes().get(p).observed(), where, problems);
        }
      }
    }
    return problems;
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
    if (!real.pods().equals(evaluator.pods())) {
      problems.add(where + ": the dataplane probed " + real.pods() + ", the evaluator "
          + evaluator.pods());
      return;
    }
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
