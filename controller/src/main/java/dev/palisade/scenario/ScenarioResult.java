package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;

/** The outcome of a whole scenario: it passed when no probe has a mismatch. */
public record ScenarioResult(Scenario scenario, ImmutableList<StepResult> steps) {

  public boolean passed() {
    return steps.stream().allMatch(StepResult::passed);
  }

  public int probeCount() {
    return steps.stream().mapToInt(step -> step.probes().size()).sum();
  }

  public long failedProbeCount() {
    return steps.stream().flatMap(step -> step.probes().stream())
        .filter(probe -> !probe.passed()).count();
  }
}
