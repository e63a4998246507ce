package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;

/** The probes of one step, in the order the scenario lists them. */
public record StepResult(String name, ImmutableList<ProbeResult> probes) {

  public boolean passed() {
    return probes.stream().allMatch(ProbeResult::passed);
  }
}
