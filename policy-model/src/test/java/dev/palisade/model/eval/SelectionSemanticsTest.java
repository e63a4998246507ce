package dev.palisade.model.eval;

import static dev.palisade.model.eval.Probe.ICMP;
import static dev.palisade.model.eval.Probe.TCP_80;
import static dev.palisade.model.eval.Probe.allowed;
import static dev.palisade.model.eval.Probe.denied;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Policy;
import dev.palisade.model.eval.DirectionVerdict.Outcome;
import dev.palisade.model.testing.TestCluster;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md section 3, items 1-3: which pods a policy selects, how policyTypes default, and
 * when a pod is isolated.
 */
class SelectionSemanticsTest {

  static Stream<SemanticsCase> cases() {
    return Stream.of(
        SemanticsCase.of("no policy: every connection is allowed", List.of(),
            allowed("x/a", "y/b", TCP_80), allowed("y/b", "x/a", ICMP),
            allowed("203.0.113.9", "x/a", TCP_80)),

        // Item 1. "An empty podSelector matches all pods in this namespace."
        SemanticsCase.of("1: podSelector {} selects every pod of the policy's namespace only",
            List.of(policy("deny").in("x").types(Direction.INGRESS).build()),
            denied("y/a", "x/a", TCP_80), denied("y/a", "x/b", TCP_80),
            denied("x/b", "x/c", TCP_80), allowed("x/a", "y/a", TCP_80)),
        SemanticsCase.of("1: podSelector pod=a selects only the pods with that label",
            List.of(policy("deny").in("x").select(selector("pod", "a"))
                .types(Direction.INGRESS).build()),
            denied("y/a", "x/a", TCP_80), allowed("y/a", "x/b", TCP_80),
            allowed("y/a", "x/c", TCP_80)),
        SemanticsCase.of("1: a policy in another namespace does not select pods here",
            List.of(policy("deny").in("y").select(selector("pod", "a"))
                .types(Direction.INGRESS).build()),
            allowed("x/b", "x/a", TCP_80), allowed("z/a", "x/a", TCP_80),
            denied("x/b", "y/a", TCP_80)),

        // Item 2. "If this field is not specified, it will default based on the existence of
        // ingress or egress rules; policies that contain an egress section are assumed to affect
        // egress, and all policies (whether or not they contain an ingress section) are assumed
        // to affect ingress."
        SemanticsCase.of("2: policyTypes absent and no egress rules: Ingress only",
            List.of(policy("p").in("x").select(selector("pod", "a")).build()),
            denied("y/a", "x/a", TCP_80), allowed("x/a", "y/a", TCP_80),
            allowed("x/a", "203.0.113.9", TCP_80)),
        SemanticsCase.of("2: policyTypes absent with egress rules: Ingress and Egress",
            List.of(policy("p").in("x").select(selector("pod", "a"))
                .egress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80)))
                .build()),
            allowed("x/a", "x/b", TCP_80), denied("x/a", "x/c", TCP_80),
            denied("x/a", "y/b", TCP_80), denied("y/a", "x/a", TCP_80)),
        // "If you want to write an egress-only policy, you must explicitly specify policyTypes
        // [ "Egress" ]."
        SemanticsCase.of("2: explicit policyTypes [Egress] leaves ingress open",
            List.of(policy("p").in("x").select(selector("pod", "a"))
                .types(Direction.EGRESS).build()),
            allowed("y/a", "x/a", TCP_80), denied("x/a", "y/a", TCP_80),
            denied("x/a", "x/b", ICMP), denied("x/a", "203.0.113.9", TCP_80)),
        SemanticsCase.of("2: rules of a direction missing from policyTypes are ignored",
            List.of(
                policy("isolate").in("x").select(selector("pod", "a"))
                    .types(Direction.INGRESS).build(),
                policy("egress-only").in("x").select(selector("pod", "a"))
                    .types(Direction.EGRESS)
                    .ingress(rule())
                    .egress(rule())
                    .build()),
            denied("y/a", "x/a", TCP_80), allowed("x/a", "y/a", TCP_80)),

        // Item 3: isolation is per pod and per direction.
        SemanticsCase.of("3: an Ingress policy does not isolate egress",
            List.of(policy("deny").in("x").types(Direction.INGRESS).build()),
            allowed("x/a", "y/a", TCP_80), allowed("x/a", "203.0.113.9", TCP_80)),
        SemanticsCase.of("3: an Egress policy does not isolate ingress",
            List.of(policy("deny").in("x").types(Direction.EGRESS).build()),
            allowed("y/a", "x/a", TCP_80), denied("x/a", "y/a", TCP_80)),
        SemanticsCase.of("3: pods no policy selects stay open next to isolated pods",
            List.of(policy("deny").in("x").select(selector("pod", "a"))
                .types(Direction.INGRESS, Direction.EGRESS).build()),
            allowed("x/b", "x/c", TCP_80), allowed("x/c", "y/b", TCP_80),
            denied("x/b", "x/a", TCP_80), denied("x/a", "x/b", TCP_80)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void selection(SemanticsCase semanticsCase) {
    semanticsCase.verify();
  }

  @ParameterizedTest(name = "{0} egress rules -> {1}")
  @CsvSource({"0, INGRESS", "1, INGRESS EGRESS", "3, INGRESS EGRESS"})
  void defaultPolicyTypesAddEgressOnlyForANonEmptyEgressList(int egressRules, String types) {
    Set<Direction> expected = Stream.of(types.split(" ")).map(Direction::valueOf)
        .collect(java.util.stream.Collectors.toSet());

    assertThat(Policy.defaultPolicyTypes(egressRules)).isEqualTo(expected);
  }

  @Test
  void isolationReportsThePoliciesThatIsolateAndNotIsolatedOtherwise() {
    TestCluster cluster = TestCluster.reference().apply(
        policy("deny-a").in("x").select(selector("pod", "a")).types(Direction.INGRESS).build(),
        policy("deny-all").in("x").types(Direction.INGRESS).build());

    Verdict toA = cluster.verdict("y/a", "x/a", TCP_80);
    Verdict fromA = cluster.verdict("x/a", "y/a", TCP_80);

    assertThat(toA.ingress().outcome()).isEqualTo(Outcome.DENIED);
    assertThat(toA.ingress().isolatedBy())
        .containsExactly(ObjectRef.of("x", "deny-a"), ObjectRef.of("x", "deny-all"));
    assertThat(toA.egress().outcome()).isEqualTo(Outcome.NOT_ISOLATED);
    assertThat(fromA.egress().outcome()).isEqualTo(Outcome.NOT_ISOLATED);
    assertThat(cluster.graph().isIsolated(ObjectRef.of("x", "a"), Direction.INGRESS)).isTrue();
    assertThat(cluster.graph().isIsolated(ObjectRef.of("x", "a"), Direction.EGRESS)).isFalse();
    assertThat(cluster.graph().isIsolated(ObjectRef.of("y", "a"), Direction.INGRESS)).isFalse();
  }
}
