package dev.palisade.model.eval;

import static dev.palisade.model.eval.Probe.TCP_80;
import static dev.palisade.model.eval.Probe.allowed;
import static dev.palisade.model.eval.Probe.denied;
import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.model.Direction;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.PodPhase;
import dev.palisade.model.Policy;
import dev.palisade.model.eval.DirectionVerdict.Outcome;
import dev.palisade.model.testing.TestCluster;
import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md section 3, item 10 (which pods are endpoints) and item 12 as far as the model goes.
 * A pod without an IP, a hostNetwork pod and a pod in phase Succeeded or Failed is not an
 * endpoint: no policy selects it and no peer selector contains it, and an address it held
 * belongs to whoever holds it now.
 */
class EndpointSemanticsTest {

  /** x/a accepts only pods of namespace x. */
  private static final Policy FROM_X = policy("from-x").in("x").select(selector("pod", "a"))
      .ingress(rule().peers(podPeer("x", LabelSelector.EVERYTHING))).build();

  static Stream<SemanticsCase> cases() {
    return Stream.of(
        SemanticsCase.of("a hostNetwork pod is not selected by a policy",
            List.of(pod("h").in("x").labels("pod", "h").ip("192.168.0.1").hostNetwork().build(),
                policy("deny").in("x").types(Direction.INGRESS, Direction.EGRESS).build()),
            allowed("y/a", "192.168.0.1", TCP_80), allowed("192.168.0.1", "y/a", TCP_80)),
        SemanticsCase.of("a hostNetwork pod is in no peer set, only an ipBlock matches it",
            List.of(pod("h").in("x").labels("pod", "h").ip("192.168.0.1").hostNetwork().build(),
                FROM_X,
                policy("from-node").in("x").select(selector("pod", "b"))
                    .ingress(rule().peers(ipBlock("192.168.0.1/32"))).build()),
            denied("192.168.0.1", "x/a", TCP_80), allowed("x/b", "x/a", TCP_80),
            allowed("192.168.0.1", "x/b", TCP_80)),
        SemanticsCase.of("a Pending pod with an IP is an endpoint",
            List.of(pod("p").in("x").labels("pod", "p").ip("10.0.1.50")
                    .phase(PodPhase.PENDING).build(),
                FROM_X),
            allowed("10.0.1.50", "x/a", TCP_80)),
        // IPs are reused: the old holder is Succeeded, the new one has other labels.
        SemanticsCase.of("a reused IP is judged by the new pod's labels",
            List.of(pod("old").in("x").labels("pod", "old").ip("10.0.1.50")
                    .phase(PodPhase.SUCCEEDED).build(),
                pod("new").in("y").labels("pod", "new").ip("10.0.1.50").build(),
                FROM_X),
            denied("10.0.1.50", "x/a", TCP_80)),
        SemanticsCase.of("a reused IP: new pod seen before the old one terminated",
            List.of(pod("old").in("x").labels("pod", "old").ip("10.0.1.50").build(),
                pod("new").in("y").labels("pod", "new").ip("10.0.1.50").build(),
                pod("old").in("x").labels("pod", "old").ip("10.0.1.50")
                    .phase(PodPhase.FAILED).build(),
                FROM_X),
            denied("10.0.1.50", "x/a", TCP_80)),
        SemanticsCase.of("a reused IP taken over by a pod the policy lets in",
            List.of(pod("old").in("y").labels("pod", "old").ip("10.0.2.50")
                    .phase(PodPhase.SUCCEEDED).build(),
                pod("new").in("x").labels("pod", "new").ip("10.0.2.50").build(),
                FROM_X),
            allowed("10.0.2.50", "x/a", TCP_80)),
        // Item 12: the kubelet's probes come from the node's address, which is no pod. The
        // default exception for them is a dataplane setting; the model's verdict is the
        // policies' own, where only an ipBlock can let the node in.
        SemanticsCase.of("12: a node address is outside the pods, only ipBlock matches it",
            List.of(FROM_X,
                policy("from-node").in("x").select(selector("pod", "b"))
                    .ingress(rule().peers(ipBlock("192.168.0.0/24"))).build()),
            denied("192.168.0.2", "x/a", TCP_80), allowed("192.168.0.2", "x/b", TCP_80)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void endpoints(SemanticsCase semanticsCase) {
    semanticsCase.verify();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = PodPhase.class, names = {"SUCCEEDED", "FAILED"})
  void aTerminatedPodIsNeitherSelectedNorAPeer(PodPhase phase) {
    TestCluster cluster = TestCluster.reference().apply(FROM_X,
        policy("deny-b").in("x").select(selector("pod", "b")).types(Direction.INGRESS).build());
    cluster.apply(cluster.pod("x/b").withPhase(phase));

    assertNotAnEndpoint(cluster, ObjectRef.of("x", "b"));
    Verdict toB = cluster.verdict("y/a", "x/b", TCP_80);
    assertThat(toB.ingress().outcome()).isEqualTo(Outcome.NOT_A_POD);
    assertThat(cluster.verdict("x/b", "x/a", TCP_80).allowed()).isFalse();
    assertThat(cluster.verdict("x/c", "x/a", TCP_80).allowed()).isTrue();
  }

  @Test
  void aPodWithoutAnIpIsNeitherSelectedNorAPeer() {
    TestCluster cluster = TestCluster.reference().apply(FROM_X);
    cluster.apply(pod("n").in("x").labels("pod", "a").build());

    assertNotAnEndpoint(cluster, ObjectRef.of("x", "n"));
  }

  @Test
  void aHostNetworkPodIsNeitherSelectedNorAPeer() {
    TestCluster cluster = TestCluster.reference().apply(FROM_X);
    cluster.apply(pod("h").in("x").labels("pod", "a").ip("192.168.0.1").hostNetwork().build());

    assertNotAnEndpoint(cluster, ObjectRef.of("x", "h"));
    assertThat(cluster.graph().endpointByIp(
        InetAddresses.forString("192.168.0.1"))).isEmpty();
  }

  private static void assertNotAnEndpoint(TestCluster cluster, ObjectRef ref) {
    Pod pod = cluster.graph().pod(ref).orElseThrow();
    assertThat(pod.isEndpoint()).isFalse();
    assertThat(cluster.graph().policiesSelecting(ref)).isEmpty();
    for (PeerSelector selector : cluster.graph().selectors()) {
      assertThat(cluster.graph().members(selector)).as("members of %s", selector)
          .doesNotContain(ref);
    }
    for (InetAddress ip : pod.ips()) {
      assertThat(cluster.graph().endpointByIp(ip)).as("holder of %s", ip).isEmpty();
    }
  }
}
