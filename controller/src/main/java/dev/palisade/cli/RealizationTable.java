package dev.palisade.cli;

import dev.palisade.realization.AgentReport;
import dev.palisade.realization.PolicyRealization;
import dev.palisade.realization.Realization;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@code palisade status}'s text: per policy NAMESPACE NAME ENFORCED, then the nodes. */
final class RealizationTable {
  private static final List<String> HEADER = List.of("NAMESPACE", "NAME", "ENFORCED");

  private RealizationTable() {}

  static String render(Realization realization, String agentNamespace) {
    StringBuilder out = new StringBuilder();
    if (realization.policies().isEmpty()) {
      out.append("No NetworkPolicies.\n");
    } else {
      List<List<String>> rows = new ArrayList<>();
      rows.add(HEADER);
      for (PolicyRealization realized : realization.policies()) {
        rows.add(List.of(realized.policy().namespace(), realized.policy().name(),
            realized.fraction()));
      }
      out.append(columns(rows));
    }
    out.append('\n');
    if (realization.nodes() == 0) {
      out.append("No agent reports in namespace ").append(agentNamespace)
          .append(" (is Palisade installed there? see --agent-namespace).\n");
      return out.toString();
    }
    out.append("Nodes: ").append(realization.nodes()).append(", reporting: ")
        .append(realization.reportingNodes()).append('\n');
    for (AgentReport stale : realization.notReporting()) {
      out.append("Not reporting: ").append(stale.node()).append(" (last report ")
          .append(stale.renewedAt()).append(")\n");
    }
    return out.toString();
  }

  /** Left-aligned columns two spaces apart, as kubectl prints them. */
  private static String columns(List<List<String>> rows) {
    int[] widths = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    return rows.stream().map(row -> {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < widths.length - 1; i++) {
        line.append(String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
      }
      return line.append(row.get(widths.length - 1)).toString();
    }).collect(Collectors.joining("\n", "", "\n"));
  }
}
