package dev.palisade.e2e;

import com.google.common.collect.ImmutableMap;
import dev.palisade.scenario.ClusterState;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.Probe;
import dev.palisade.scenario.ScenarioBackend;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A real backend to which something happens just before a step of a scenario is converged:
 * the step's changes are known but not yet written, and every earlier step is enforced and
 * probed. The runner converges once per step, so steps are counted by converge calls.
 */
final class DisruptedBackend implements ScenarioBackend {
  private final ScenarioBackend real;
  private final ImmutableMap<Integer, Runnable> beforeStep;
  private int converged;

  /**
   * @param beforeStep what happens before each of these steps (1-based) is converged
   */
  DisruptedBackend(ScenarioBackend real, Map<Integer, Runnable> beforeStep) {
    this.real = real;
    this.beforeStep = ImmutableMap.copyOf(beforeStep);
  }

  @Override
  public String mode() {
    return real.mode();
  }

  @Override
  public OptionalLong converge(ClusterState cluster) {
    converged++;
    Runnable disruption = beforeStep.get(converged);
    if (disruption != null) {
      disruption.run();
    }
    return real.converge(cluster);
  }

  @Override
  public Matrix observe(ClusterState cluster, Probe probe) {
    return real.observe(cluster, probe);
  }

  /** Whether every disruption ran (the scenario had that many steps). */
  boolean disrupted() {
    return beforeStep.keySet().stream().allMatch(step -> converged >= step);
  }
}
