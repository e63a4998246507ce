package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import dev.palisade.k8s.Manifest;

/**
 * A parsed scenario file (SCENARIO.md): a small cluster of {@code nodes} nodes, its initial
 * objects, and the steps that change it and probe it.
 *
 * @param source the file it was read from, for messages
 * @param warnings what the user should know but that does not stop the run, e.g. a policy that
 *     Palisade enforces fail-closed
 */
public record Scenario(String source, String name, int nodes, ImmutableList<Manifest> objects,
    ImmutableList<Step> steps, ImmutableList<String> warnings) {

  public int probeCount() {
    return steps.stream().mapToInt(step -> step.probes().size()).sum();
  }
}
