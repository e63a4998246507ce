package dev.palisade.realization;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** "Enforced on N of M nodes" from the agents' reports. */
class RealizationTest {
  private static final Instant RENEWED = Instant.parse("2026-12-01T10:00:00Z");
  private static final PolicyVersion POLICY = new PolicyVersion("x", "deny-all", "uid-1", "120");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("a node that enforces a later version enforces this one",
            List.of(current("node-1", 121)), "1/1", true),
        Arguments.of("a node that enforces exactly this version enforces it",
            List.of(current("node-1", 120)), "1/1", true),
        Arguments.of("a node still at an earlier version does not",
            List.of(current("node-1", 120), current("node-2", 119)), "1/2", false),
        Arguments.of("a node that has not synced yet (no NetworkPolicy version) does not",
            List.of(current("node-1", 130), report("node-2", Map.of("Pod", 500L), true)),
            "1/2", false),
        Arguments.of("a node that stopped reporting counts among the nodes, not the enforcing",
            List.of(current("node-1", 130), report("node-2", Map.of("NetworkPolicy", 130L),
                false)), "1/2", false),
        Arguments.of("versions of other kinds say nothing about policies",
            List.of(report("node-1", Map.of("Pod", 999L, "NetworkPolicy", 100L), true)),
            "0/1", false),
        Arguments.of("without nodes nothing is enforced everywhere", List.of(), "0/0", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void enforcedNodes(String name, List<AgentReport> reports, String fraction,
      boolean everywhere) {
    PolicyRealization realized = Realization.of(List.of(POLICY), reports).policies().get(0);

    assertThat(realized.fraction()).isEqualTo(fraction);
    assertThat(realized.enforcedEverywhere()).isEqualTo(everywhere);
  }

  @Test
  void aVersionThatIsNoIntegerIsUnknownAndNeverEnforcedEverywhere() {
    PolicyVersion opaque = new PolicyVersion("x", "opaque", "uid-2", "a1b2");

    PolicyRealization realized = Realization.of(List.of(opaque),
        List.of(current("node-1", Long.MAX_VALUE))).policies().get(0);

    assertThat(realized.enforcedNodes()).isEmpty();
    assertThat(realized.fraction()).isEqualTo("?/1");
    assertThat(realized.enforcedEverywhere()).isFalse();
  }

  @Test
  void policiesAreSortedAndTheNodesThatDoNotReportAreNamed() {
    Realization realization = Realization.of(
        List.of(new PolicyVersion("y", "b", "u3", "5"), new PolicyVersion("x", "z", "u2", "5"),
            new PolicyVersion("x", "a", "u1", "5")),
        List.of(report("node-3", Map.of(), false), current("node-1", 5),
            report("node-2", Map.of(), false)));

    assertThat(realization.policies()).extracting(realized -> realized.policy().namespace()
        + "/" + realized.policy().name()).containsExactly("x/a", "x/z", "y/b");
    assertThat(realization.nodes()).isEqualTo(3);
    assertThat(realization.reportingNodes()).isEqualTo(1);
    assertThat(realization.notReporting()).extracting(AgentReport::node)
        .containsExactly("node-2", "node-3");
  }

  private static AgentReport current(String node, long policyVersion) {
    return report(node, Map.of("NetworkPolicy", policyVersion), true);
  }

  private static AgentReport report(String node, Map<String, Long> versions, boolean current) {
    return AgentReport.of(node, versions, RENEWED, current);
  }
}
