package dev.palisade.model.lint;

import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds likely mistakes in the policies of a graph (see {@link LintCode} for the list). Pure: it
 * reads the graph and returns findings sorted by policy, then code.
 */
public final class Linter {
  private final List<PolicyCheck> checks = List.of(
      new SelectionCheck(),
      new PeerShapeCheck(),
      new PortCheck(),
      new IpBlockCheck(),
      new PolicyTypesCheck());

  public List<Finding> lint(RuleGraph graph) {
    List<Finding> findings = new ArrayList<>();
    for (Policy policy : graph.policies()) {
      for (PolicyCheck check : checks) {
        check.check(policy, graph, findings::add);
      }
    }
    findings.sort(null);
    return List.copyOf(findings);
  }
}
