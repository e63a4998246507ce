package dev.palisade.cli;

import dev.palisade.model.ObjectRef;
import dev.palisade.model.IpFamily;
import dev.palisade.scenario.CellChange;
import dev.palisade.scenario.EndpointMatrix;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.Mismatch;
import dev.palisade.scenario.ProbePort;
import dev.palisade.scenario.ProbeResult;
import dev.palisade.scenario.Reachability;
import dev.palisade.scenario.ScenarioResult;
import dev.palisade.scenario.StepResult;
import dev.palisade.scenario.TruthTable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The human-readable result: per step and probe the expected and observed truth tables, and on
 * a mismatch the diff; a closing PASS or FAIL line.
 */
final class TableRenderer {
  private static final String TABLE_INDENT = "      ";
  private static final String MATRIX_LEGEND =
      " (. allowed, X denied or not served; rows are sources)\n";

  String scenario(ScenarioResult result) {
    StringBuilder text = new StringBuilder();
    text.append("Scenario: ").append(result.scenario().name())
        .append(" (").append(result.scenario().source()).append(")\n");
    List<StepResult> steps = result.steps();
    Map<String, Matrix> previous = new HashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      text.append("Step ").append(i + 1).append(": ").append(steps.get(i).name());
      steps.get(i).enforcedAfterMs().ifPresent(ms ->
          text.append("  (enforced after ").append(ms).append(" ms)"));
      text.append('\n');
      for (ProbeResult probe : steps.get(i).probes()) {
        text.append(probe(probe));
        Matrix before = previous.put(title(probe.observed()), probe.observed());
        if (before != null) {
          text.append(changes(before, probe.observed()));
        }
      }
    }
    text.append(summary(result)).append('\n');
    return text.toString();
  }

  String matrix(Matrix matrix) {
    return "Matrix " + title(matrix) + MATRIX_LEGEND + observed(matrix);
  }

  /** The matrix between chosen ends, addresses outside the cluster among them. */
  String matrix(EndpointMatrix matrix) {
    return "Matrix " + title(matrix.port(), matrix.family()) + MATRIX_LEGEND
        + Grid.render(matrix.sources(), matrix.destinations(),
            (source, destination) -> matrix.get(source, destination).symbol(), TABLE_INDENT);
  }

  /** {@code palisade diff}: one line per changed cell, then how many. */
  String changes(List<CellChange> changes) {
    StringBuilder text = new StringBuilder();
    changes.forEach(change -> text.append(change).append('\n'));
    text.append(changes.isEmpty() ? "no change" : changes.size()
        + (changes.size() == 1 ? " change" : " changes")).append('\n');
    return text.toString();
  }

  private String probe(ProbeResult result) {
    StringBuilder text = new StringBuilder("  Probe ").append(title(result.observed()));
    if (result.expected().isEmpty()) {
      text.append(": no expectation\n");
    } else {
      text.append(result.passed() ? ": ok\n"
          : ": " + result.mismatches().size() + " mismatched\n");
    }
    result.expected().ifPresent(table -> text.append("    expected:\n").append(expected(table)));
    text.append("    observed:\n").append(observed(result.observed()));
    if (!result.passed()) {
      text.append("    diff (! = mismatch):\n").append(diff(result));
      for (Mismatch mismatch : result.mismatches()) {
        text.append("      ").append(mismatch).append('\n');
      }
    }
    return text.toString();
  }

  /** What changed since the same probe's previous step: the live view of a policy change. */
  private static String changes(Matrix before, Matrix after) {
    List<String> changed = CellChange.between(before, after).stream()
        .filter(change -> change.before().isPresent() && change.after().isPresent())
        .map(change -> change.source() + " -> " + change.destination() + ": "
            + change.before().get().word() + " -> " + change.after().get().word())
        .toList();
    if (changed.isEmpty()) {
      return "    changed since the previous step: nothing\n";
    }
    StringBuilder text = new StringBuilder("    changed since the previous step ("
        + changed.size() + "):\n");
    changed.forEach(line -> text.append("      ").append(line).append('\n'));
    return text.toString();
  }

  static String title(Matrix matrix) {
    return title(matrix.port(), matrix.family());
  }

  static String title(ProbePort port, IpFamily family) {
    return port + " IPv" + family.number();
  }

  private static String expected(TruthTable table) {
    return Grid.render(table.sources(), table.destinations(),
        (source, destination) -> table.expected(source, destination)
            .map(Reachability::symbol).orElse(TruthTable.UNCHECKED), TABLE_INDENT);
  }

  private static String observed(Matrix matrix) {
    if (matrix.pods().isEmpty()) {
      return TABLE_INDENT + "(no endpoint pods with an IPv" + matrix.family().number()
          + " address)\n";
    }
    return Grid.render(matrix.pods(), matrix.pods(),
        (source, destination) -> matrix.get(source, destination).orElseThrow().symbol(),
        TABLE_INDENT);
  }

  private static String diff(ProbeResult result) {
    TruthTable table = result.expected().orElseThrow();
    Set<List<ObjectRef>> mismatched = new HashSet<>();
    result.mismatches().forEach(mismatch -> mismatched.add(List.of(mismatch.from(), mismatch.to())));
    return Grid.render(table.sources(), table.destinations(), (source, destination) -> {
      if (table.expected(source, destination).isEmpty()) {
        return TruthTable.UNCHECKED;
      }
      return mismatched.contains(List.of(source, destination)) ? '!' : '.';
    }, TABLE_INDENT);
  }

  static String summary(ScenarioResult result) {
    String counts = result.steps().size() + " steps, " + result.probeCount() + " probes";
    return result.passed() ? "PASS " + counts
        : "FAIL " + counts + ", " + result.failedProbeCount() + " mismatched";
  }
}
