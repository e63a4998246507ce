package dev.palisade.dataplane.compile;

import dev.palisade.dataplane.state.DesiredState;
import java.util.List;

/** The golden scenarios by name, for tests outside this package. */
public final class GoldenScenarioPayloads {
  private GoldenScenarioPayloads() {}

  public static List<String> names() {
    return GoldenScenarios.all().stream().map(GoldenScenarios.Scenario::name).toList();
  }

  /** The state node-1 would hold in a scenario. */
  public static DesiredState compile(String name) {
    GoldenScenarios.Scenario scenario = GoldenScenarios.all().stream()
        .filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no golden scenario " + name));
    return NodeCompiler.compile(scenario.cluster().graph(), TestCluster.NODE,
        scenario.settings());
  }
}
