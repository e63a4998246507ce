package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a scenario offline: builds the initial cluster, then for each step applies its changes
 * and answers its probes with the reference evaluator ({@code palisade matrix --scenario}).
 */
public final class ScenarioRunner {

  /**
   * @throws InvalidInputException when an object cannot be applied, a deletion names nothing, or
   *     a truth table checks a pod that is not an endpoint of the probe
   */
  public ScenarioResult run(Scenario scenario) {
    ClusterState cluster = new ClusterState(scenario.nodes());
    cluster.apply(scenario.objects());
    List<StepResult> steps = new ArrayList<>();
    for (Step step : scenario.steps()) {
      cluster.apply(step.apply());
      for (Deletion deletion : step.delete()) {
        if (!cluster.delete(deletion.key())) {
          throw new InvalidInputException(scenario.source(), null, deletion.field(),
              deletion.key() + " does not exist at this step");
        }
      }
      List<ProbeResult> probes = new ArrayList<>();
      for (Probe probe : step.probes()) {
        Matrix observed = MatrixEvaluator.observe(cluster.graph(), probe.port(), probe.family());
        probes.add(new ProbeResult(probe, observed, compare(scenario, probe, observed)));
      }
      steps.add(new StepResult(step.name(), ImmutableList.copyOf(probes)));
    }
    return new ScenarioResult(scenario, ImmutableList.copyOf(steps));
  }

  private static ImmutableList<Mismatch> compare(Scenario scenario, Probe probe,
      Matrix observed) {
    if (probe.expect().isEmpty()) {
      return ImmutableList.of();
    }
    List<Mismatch> mismatches = new ArrayList<>();
    for (Map.Entry<ObjectRef, ? extends Map<ObjectRef, Reachability>> row
        : probe.expect().get().cells().entrySet()) {
      for (Map.Entry<ObjectRef, Reachability> cell : row.getValue().entrySet()) {
        Reachability found = observed(scenario, probe, observed, row.getKey(), cell.getKey());
        if (found != cell.getValue()) {
          mismatches.add(new Mismatch(row.getKey(), cell.getKey(), cell.getValue(), found));
        }
      }
    }
    return ImmutableList.copyOf(mismatches);
  }

  /** A checked cell must name two endpoints of the probe, or the table cannot mean anything. */
  private static Reachability observed(Scenario scenario, Probe probe, Matrix observed,
      ObjectRef source, ObjectRef destination) {
    Optional<Reachability> found = observed.get(source, destination);
    if (found.isPresent()) {
      return found.get();
    }
    ObjectRef missing = observed.pods().contains(source) ? destination : source;
    throw new InvalidInputException(scenario.source(), null, probe.field().field("expect"),
        missing + " is checked but is not an endpoint with an IPv" + probe.family().number()
            + " address at this step (absent, without an address, hostNetwork or terminated);"
            + " write ? in its cells");
  }
}
