package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Runs a scenario: builds the initial cluster, then for each step applies its changes, lets the
 * backend converge and answers the step's probes with the backend — the reference evaluator
 * ({@code palisade matrix --scenario}) or a real cluster ({@code palisade demo --scenario}).
 */
public final class ScenarioRunner {
  private final ScenarioBackend backend;

  public ScenarioRunner(ScenarioBackend backend) {
    this.backend = backend;
  }

  /** The offline runner, answering with the reference evaluator. */
  public ScenarioRunner() {
    this(ScenarioBackend.EVALUATOR);
  }

  /**
   * @throws InvalidInputException when an object cannot be applied (by the cluster state, or by
   *     the backend's API server: then the message names the step), a deletion names nothing, or
   *     a truth table checks a pod that is not an endpoint of the probe
   */
  public ScenarioResult run(Scenario scenario) {
    ClusterState cluster = new ClusterState(scenario.nodes());
    cluster.apply(scenario.objects());
    List<StepResult> steps = new ArrayList<>();
    for (int index = 0; index < scenario.steps().size(); index++) {
      Step step = scenario.steps().get(index);
      advance(scenario, cluster, step);
      OptionalLong enforcedAfterMs = converge(scenario, cluster, index);
      List<ProbeResult> probes = new ArrayList<>();
      for (Probe probe : step.probes()) {
        Matrix observed = backend.observe(cluster, probe);
        probes.add(new ProbeResult(probe, observed, compare(scenario, probe, observed)));
      }
      steps.add(new StepResult(step.name(), enforcedAfterMs, ImmutableList.copyOf(probes)));
    }
    return new ScenarioResult(scenario, ImmutableList.copyOf(steps));
  }

  /**
   * Lets the backend converge; an object its API server refuses is located in the step that
   * wrote it (the first step's writes include the initial objects).
   */
  private OptionalLong converge(Scenario scenario, ClusterState cluster, int stepIndex) {
    try {
      return backend.converge(cluster);
    } catch (InvalidInputException e) {
      throw e.from(scenario.source() + ", step " + (stepIndex + 1) + " '"
          + scenario.steps().get(stepIndex).name() + "'"
          + (stepIndex == 0 ? " (with the initial objects)" : ""));
    }
  }

  /**
   * The cluster after the initial objects and the first {@code steps} steps, as the probes of
   * step {@code steps} see it ({@code palisade render --step N}).
   *
   * @throws InvalidInputException when {@code steps} is out of range or a change cannot apply
   */
  public static ClusterState stateAfter(Scenario scenario, int steps) {
    if (steps < 0 || steps > scenario.steps().size()) {
      throw new InvalidInputException(scenario.source(), null, null, "the scenario has "
          + scenario.steps().size() + " steps; there is no step " + steps);
    }
    ClusterState cluster = new ClusterState(scenario.nodes());
    cluster.apply(scenario.objects());
    for (Step step : scenario.steps().subList(0, steps)) {
      advance(scenario, cluster, step);
    }
    return cluster;
  }

  private static void advance(Scenario scenario, ClusterState cluster, Step step) {
    cluster.apply(step.apply());
    for (Deletion deletion : step.delete()) {
      if (!cluster.delete(deletion.key())) {
        throw new InvalidInputException(scenario.source(), null, deletion.field(),
            deletion.key() + " does not exist at this step");
      }
    }
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
