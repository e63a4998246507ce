package dev.palisade.model.eval;

import static dev.palisade.model.eval.Probe.ICMP;
import static dev.palisade.model.eval.Probe.SCTP_80;
import static dev.palisade.model.eval.Probe.TCP_80;
import static dev.palisade.model.eval.Probe.UDP_80;
import static dev.palisade.model.eval.Probe.UDP_81;
import static dev.palisade.model.eval.Probe.allowed;
import static dev.palisade.model.eval.Probe.denied;
import static dev.palisade.model.eval.Probe.tcpTraffic;
import static dev.palisade.model.eval.Probe.udpTraffic;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static dev.palisade.model.testing.Builders.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.testing.TestCluster;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md section 3, items 4 and 5: how rules of several policies add up, both ends of a
 * pod-to-pod connection, and what empty or absent {@code from}/{@code to}/{@code ports} mean.
 * The model holds an absent list and an empty list alike (an empty list), and both mean "all"
 * in a rule; {@code ingress: []} (no rule at all) with the type listed means "deny all".
 * Item 9 (replies of allowed connections) is conntrack's job in the dataplane: the model judges
 * the direction a connection is opened in, which the last cases pin down.
 */
class RuleSemanticsTest {

  static Stream<SemanticsCase> cases() {
    return Stream.of(
        // Item 4. "Multiple network policies can select the same set of pods. In this case,
        // the ingress rules for each are combined additively."
        SemanticsCase.of("4: rules of all policies selecting a pod add up",
            List.of(
                policy("web").in("x").select(selector("pod", "a"))
                    .ingress(rule().peers(podPeer("x", selector("pod", "b")))
                        .ports(tcp(80)))
                    .build(),
                policy("dns").in("x").select(selector("pod", "a"))
                    .ingress(rule().peers(podPeer("x", selector("pod", "c"))).ports(udp(81)))
                    .build()),
            allowed("x/b", "x/a", TCP_80), denied("x/b", "x/a", UDP_81),
            allowed("x/c", "x/a", UDP_81), denied("x/c", "x/a", TCP_80),
            denied("y/b", "x/a", TCP_80)),
        SemanticsCase.of("4: a deny-all policy takes nothing away from another policy's allow",
            List.of(
                policy("deny").in("x").types(Direction.INGRESS).build(),
                policy("allow-b").in("x").select(selector("pod", "a"))
                    .ingress(rule().peers(podPeer("x", selector("pod", "b")))).build()),
            allowed("x/b", "x/a", TCP_80), denied("x/c", "x/a", TCP_80),
            denied("x/b", "x/c", TCP_80)),
        // Item 4: pod-to-pod traffic needs the source's egress AND the destination's ingress.
        SemanticsCase.of("4: source egress allows but destination ingress denies",
            List.of(
                policy("out").in("x").select(selector("pod", "a"))
                    .egress(rule().peers(namespacePeer(selector("ns", "y")))).build(),
                policy("in").in("y").select(selector("pod", "b"))
                    .types(Direction.INGRESS).build()),
            denied("x/a", "y/b", TCP_80), allowed("x/a", "y/a", TCP_80),
            denied("x/a", "z/a", TCP_80)),
        SemanticsCase.of("4: destination ingress allows but source egress denies",
            List.of(
                policy("out").in("x").select(selector("pod", "a"))
                    .types(Direction.EGRESS).build(),
                policy("in").in("y").select(selector("pod", "b"))
                    .ingress(rule().peers(namespacePeer(selector("ns", "x")))).build()),
            denied("x/a", "y/b", TCP_80), allowed("x/b", "y/b", TCP_80)),
        SemanticsCase.of("4: both ends allow",
            List.of(
                policy("out").in("x").select(selector("pod", "a"))
                    .egress(rule().peers(namespacePeer(selector("ns", "y")))).build(),
                policy("in").in("y").select(selector("pod", "b"))
                    .ingress(rule().peers(namespacePeer(selector("ns", "x")))).build()),
            allowed("x/a", "y/b", TCP_80), denied("z/a", "y/b", TCP_80)),

        // Item 5. "If this field is empty or missing, this rule matches all sources (traffic
        // not restricted by source)."
        SemanticsCase.of("5: empty or absent from matches every source, in or out of cluster",
            List.of(policy("p").in("x").select(selector("pod", "a"))
                .ingress(rule().ports(tcp(80))).build()),
            allowed("x/b", "x/a", TCP_80), allowed("z/c", "x/a", TCP_80),
            allowed("203.0.113.9", "x/a", TCP_80), denied("x/b", "x/a", UDP_81)),
        // "If this field is empty or missing, this rule matches all ports (traffic not
        // restricted by port)." Every protocol, too, ICMP included.
        SemanticsCase.of("5: empty or absent ports matches every port and protocol",
            List.of(policy("p").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(podPeer("x", selector("pod", "b")))).build()),
            allowed("x/b", "x/a", TCP_80), allowed("x/b", "x/a", tcpTraffic(65535)),
            allowed("x/b", "x/a", UDP_81), allowed("x/b", "x/a", SCTP_80),
            allowed("x/b", "x/a", ICMP), denied("x/c", "x/a", TCP_80)),
        SemanticsCase.of("5: ingress [{}] allows everything",
            List.of(policy("p").in("x").select(selector("pod", "a")).ingress(rule()).build()),
            allowed("z/c", "x/a", UDP_80), allowed("203.0.113.9", "x/a", tcpTraffic(22)),
            allowed("y/b", "x/a", ICMP)),
        // "If this field is empty then this NetworkPolicy does not allow any traffic (and
        // serves solely to ensure that the pods it selects are isolated by default)."
        SemanticsCase.of("5: ingress [] with Ingress in policyTypes denies everything",
            List.of(policy("p").in("x").select(selector("pod", "a"))
                .types(Direction.INGRESS).build()),
            denied("x/b", "x/a", TCP_80), denied("203.0.113.9", "x/a", TCP_80),
            denied("y/b", "x/a", ICMP)),
        SemanticsCase.of("5: egress [{}] allows everything",
            List.of(policy("p").in("x").select(selector("pod", "a")).egress(rule()).build()),
            allowed("x/a", "z/c", UDP_80), allowed("x/a", "203.0.113.9", tcpTraffic(443)),
            allowed("x/a", "y/b", ICMP)),
        SemanticsCase.of("5: egress [] with Egress in policyTypes denies everything",
            List.of(policy("p").in("x").select(selector("pod", "a"))
                .types(Direction.EGRESS).build()),
            denied("x/a", "x/b", TCP_80), denied("x/a", "203.0.113.9", udpTraffic(53)),
            denied("x/a", "y/b", ICMP)),

        // Item 9, as far as the model goes: a verdict is about the side that opens the
        // connection; the reply of an allowed connection is conntrack's business.
        SemanticsCase.of("9: verdicts are per direction of opening",
            List.of(policy("p").in("x").select(selector("pod", "a"))
                .types(Direction.INGRESS).build()),
            allowed("x/a", "x/b", TCP_80), denied("x/b", "x/a", TCP_80)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rules(SemanticsCase semanticsCase) {
    semanticsCase.verify();
  }

  @Test
  void aVerdictNamesEveryRuleThatAllowsTheConnection() {
    TestCluster cluster = TestCluster.reference().apply(
        policy("one").in("x").select(selector("pod", "a"))
            .ingress(rule().peers(podPeer("x", selector("pod", "c"))),
                rule().peers(podPeer("x", selector("pod", "b"))))
            .build(),
        policy("two").in("x").ingress(rule().ports(tcp(80))).build());

    Verdict verdict = cluster.verdict("x/b", "x/a", TCP_80);

    assertThat(verdict.ingress().allowedBy()).containsExactly(
        new RuleRef(ObjectRef.of("x", "one"), Direction.INGRESS, 1),
        new RuleRef(ObjectRef.of("x", "two"), Direction.INGRESS, 0));
    assertThat(verdict.explain()).isEqualTo("""
        ALLOWED
          egress of x/b: not isolated (no policy with Egress selects it)
          ingress of x/a: allowed by x/one ingress[1], x/two ingress[0]""");
  }

  @Test
  void aDeniedVerdictNamesThePoliciesThatIsolate() {
    TestCluster cluster = TestCluster.reference().apply(
        policy("deny").in("x").types(Direction.INGRESS).build());

    assertThat(cluster.verdict("203.0.113.9", "x/a", TCP_80).explain()).isEqualTo("""
        DENIED
          egress: not a pod, no policy applies
          ingress of x/a: isolated by x/deny and no rule allowed it""");
  }
}
