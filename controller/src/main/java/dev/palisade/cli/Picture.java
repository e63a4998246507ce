package dev.palisade.cli;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableTable;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.ProbeResult;
import dev.palisade.scenario.Scenario;
import dev.palisade.scenario.ScenarioResult;
import dev.palisade.scenario.ScenarioRunner;
import dev.palisade.scenario.StepResult;
import dev.palisade.scenario.Reachability;
import dev.palisade.scenario.TruthTable;
import java.util.List;
import java.util.Optional;

/**
 * What the html and dot outputs draw: a title and one panel per matrix (per port and family,
 * and per scenario step), each cell with the reasons {@code explain} gives for it.
 */
record Picture(String title, ImmutableList<Panel> panels) {

  /**
   * The results of scenarios: one panel per probe of every step, grouped by step (and by
   * scenario when there are several), each cell explained by the evaluator over the cluster as
   * that step left it (for a real run: what the policies say, next to what the probe observed).
   */
  static Picture ofScenarios(List<ScenarioResult> results) {
    boolean several = results.size() > 1;
    ImmutableList.Builder<Panel> panels = ImmutableList.builder();
    for (ScenarioResult result : results) {
      Scenario scenario = result.scenario();
      for (int index = 0; index < result.steps().size(); index++) {
        StepResult step = result.steps().get(index);
        RuleGraph graph = ScenarioRunner.stateAfter(scenario, index + 1).graph();
        String group = (several ? scenario.name() + ", " : "") + "step " + (index + 1) + ": "
            + step.name();
        for (ProbeResult probe : step.probes()) {
          panels.add(Panel.explained(group, probe.observed(), graph, probe.expected(),
              Optional.empty()));
        }
      }
    }
    String title = several ? results.size() + " scenarios" : results.get(0).scenario().name();
    return new Picture(title, panels.build());
  }

  /** The connection {@code explain} was asked about, drawn highlighted. */
  record Connection(ObjectRef from, ObjectRef to) {}

  /**
   * One matrix.
   *
   * @param group what the matrix belongs to (a scenario and step), or empty
   * @param reasons by source and destination: {@link ConnectionExplanation}'s text
   * @param expected the probe's truth table, when the scenario gives one
   * @param focus the connection to highlight
   */
  record Panel(String group, Matrix matrix, ImmutableTable<ObjectRef, ObjectRef, String> reasons,
      Optional<TruthTable> expected, Optional<Connection> focus) {

    /**
     * Explains every cell of {@code matrix} with the reference evaluator over {@code graph},
     * the cluster the matrix was observed in.
     */
    static Panel explained(String group, Matrix matrix, RuleGraph graph,
        Optional<TruthTable> expected, Optional<Connection> focus) {
      Evaluator evaluator = new Evaluator(graph);
      ImmutableTable.Builder<ObjectRef, ObjectRef, String> reasons = ImmutableTable.builder();
      for (ObjectRef source : matrix.pods()) {
        Endpoint sourceEnd = Endpoint.of(pod(graph, source), matrix.family());
        for (ObjectRef destination : matrix.pods()) {
          reasons.put(source, destination, ConnectionExplanation.of(evaluator, sourceEnd,
              Endpoint.of(pod(graph, destination), matrix.family()), matrix.port()));
        }
      }
      return new Panel(group, matrix, reasons.build(), expected, focus);
    }

    private static Pod pod(RuleGraph graph, ObjectRef ref) {
      return graph.pod(ref).orElseThrow(() -> new IllegalArgumentException(
          "the matrix names " + ref + ", which the graph does not hold"));
    }

    /** The truth tables' title for the panel's port and family, e.g. "80/TCP IPv4". */
    String label() {
      return TableRenderer.title(matrix);
    }

    Reachability observed(ObjectRef source, ObjectRef destination) {
      return matrix.get(source, destination).orElseThrow();
    }

    /** The expected value where the truth table checks this pair. */
    Optional<Reachability> expected(ObjectRef source, ObjectRef destination) {
      return expected.flatMap(table -> table.expected(source, destination));
    }

    boolean isFocus(ObjectRef source, ObjectRef destination) {
      return focus.equals(Optional.of(new Connection(source, destination)));
    }
  }
}
