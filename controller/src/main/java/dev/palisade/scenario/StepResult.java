package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import java.util.OptionalLong;

/**
 * The probes of one step, in the order the scenario lists them, and how long the step's changes
 * took to be enforced when the backend measures it (the real dataplane does, the evaluator not).
 */
public record StepResult(String name, OptionalLong enforcedAfterMs,
    ImmutableList<ProbeResult> probes) {

  public boolean passed() {
    return probes.stream().allMatch(ProbeResult::passed);
  }
}
