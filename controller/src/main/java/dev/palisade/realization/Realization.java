package dev.palisade.realization;

import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Per policy, on how many of the nodes it is enforced, computed from the agents' reports (pure).
 *
 * <p>A node enforces a policy when its current report's NetworkPolicy version is at least the
 * policy's {@code metadata.resourceVersion}: each agent's NetworkPolicy watch delivers events in
 * version order, so once it enforces version V it has taken in every policy change up to V. The
 * API calls resource versions opaque; etcd (revisions) and the fabric8 mock server both issue
 * increasing integers, which is what this relies on. A version that is no integer is unknown:
 * the policy is enforced on "?" nodes, never on all of them.
 *
 * @param policies sorted by namespace and name
 * @param notReporting the nodes whose report is not current (sorted)
 */
public record Realization(List<PolicyRealization> policies, int nodes,
    List<AgentReport> notReporting) {

  /** No policies, no nodes: what a replica that does not publish shows. */
  public static final Realization NONE = new Realization(List.of(), 0, List.of());

  public static Realization of(List<PolicyVersion> policies, List<AgentReport> reports) {
    List<AgentReport> current = reports.stream().filter(AgentReport::current).toList();
    List<PolicyRealization> realized = policies.stream()
        .sorted(Comparator.comparing(PolicyVersion::namespace).thenComparing(PolicyVersion::name))
        .map(policy -> new PolicyRealization(policy, enforcedNodes(policy, current),
            reports.size()))
        .toList();
    List<AgentReport> stale = reports.stream().filter(report -> !report.current())
        .sorted(Comparator.comparing(AgentReport::node)).toList();
    return new Realization(realized, reports.size(), stale);
  }

  private static OptionalInt enforcedNodes(PolicyVersion policy, List<AgentReport> current) {
    OptionalLong version = parse(policy.resourceVersion());
    if (version.isEmpty()) {
      return OptionalInt.empty();
    }
    return OptionalInt.of((int) current.stream()
        .filter(report -> report.enforcedPolicyVersion().orElse(-1) >= version.getAsLong())
        .count());
  }

  /** The nodes whose report is current. */
  public int reportingNodes() {
    return nodes - notReporting.size();
  }

  private static OptionalLong parse(String resourceVersion) {
    try {
      return resourceVersion == null ? OptionalLong.empty()
          : OptionalLong.of(Long.parseLong(resourceVersion));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
