package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.realization.AgentReport;
import dev.palisade.realization.PolicyVersion;
import dev.palisade.realization.Realization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code palisade status}'s text. */
class RealizationTableTest {
  private static final Instant RENEWED = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void policiesInColumnsThenTheNodesThatDoNotReport() {
    Realization realization = Realization.of(
        List.of(new PolicyVersion("x", "deny-all", "u1", "10"),
            new PolicyVersion("monitoring", "allow-scrape", "u2", "12"),
            new PolicyVersion("x", "opaque", "u3", "v7")),
        List.of(AgentReport.of("node-1", Map.of("NetworkPolicy", 12L), RENEWED, true),
            AgentReport.of("node-2", Map.of("NetworkPolicy", 11L), RENEWED, true),
            AgentReport.of("node-3", Map.of("NetworkPolicy", 12L), RENEWED, false)));

    assertThat(RealizationTable.render(realization, "palisade-system")).isEqualTo("""
        NAMESPACE   NAME          ENFORCED
        monitoring  allow-scrape  1/3
        x           deny-all      2/3
        x           opaque        ?/3

        Nodes: 3, reporting: 2
        Not reporting: node-3 (last report 2026-12-01T10:00:00Z)
        """);
  }

  @Test
  void noReportsPointAtTheNamespaceOption() {
    assertThat(RealizationTable.render(Realization.NONE, "kube-system")).isEqualTo("""
        No NetworkPolicies.

        No agent reports in namespace kube-system (is Palisade installed there? see \
        --agent-namespace).
        """);
  }
}
