package dev.palisade.realization;

import com.google.common.collect.ImmutableSortedMap;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What one node's agent last reported: per kind the highest resource version its kernel
 * enforces, and whether the report is current (renewed within its lease duration). A node whose
 * report is not current counts among the nodes, but enforces nothing anyone can vouch for.
 *
 * @param renewedAt when the agent last renewed the report
 */
public record AgentReport(String node, ImmutableSortedMap<String, Long> enforcedVersions,
    Instant renewedAt, boolean current) {

  public AgentReport {
    enforcedVersions = ImmutableSortedMap.copyOf(enforcedVersions);
  }

  public static AgentReport of(String node, Map<String, Long> enforcedVersions,
      Instant renewedAt, boolean current) {
    return new AgentReport(node, ImmutableSortedMap.copyOf(enforcedVersions), renewedAt,
        current);
  }

  /** The highest NetworkPolicy version the node enforces; empty before its first sync. */
  OptionalLong enforcedPolicyVersion() {
    Long version = enforcedVersions.get(AgentLease.POLICY_KIND);
    return version == null ? OptionalLong.empty() : OptionalLong.of(version);
  }
}
