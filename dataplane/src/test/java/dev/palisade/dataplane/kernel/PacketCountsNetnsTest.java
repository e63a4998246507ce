package dev.palisade.dataplane.kernel;

import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.DenyAction;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.kernel.PacketCounts.PodDirection;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.RuleGraph;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-pod denied and per-policy allowed counts follow real connections: every first packet
 * of a probe is counted once, for the pod whose chain denied it or for the policy that allowed
 * it, and reading does not reset anything.
 */
@Tag("kernel")
class PacketCountsNetnsTest {
  private static final String NODE = "node-1";
  private static final ObjectRef XB = ObjectRef.of("x", "b");
  private static final ObjectRef YC = ObjectRef.of("y", "c");
  private static final ObjectRef ALLOW_A_80 = ObjectRef.of("x", "allow-a-80");
  private static final ObjectRef ALLOW_ALL_81 = ObjectRef.of("x", "allow-all-81");
  private static final ObjectRef C_OUT_80 = ObjectRef.of("y", "c-out-80");

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(3);

  /**
   * x/b admits x/a on 80 (allow-a-80) and everybody on 81 (allow-all-81); y/c may send only to
   * port 80 (c-out-80). Probes: a->b:80 twice, a->b:81, c->b:80 (allowed by c-out-80, denied by
   * x/b's ingress), c->b:81 (denied by y/c's egress).
   */
  @Test
  void probesMoveTheCountsOfTheRightPodsAndPolicies() {
    NetnsLab lab = labs.lab();
    LabPod a = lab.pod(0);
    LabPod b = lab.pod(1);
    LabPod c = lab.pod(2);
    lab.serve(b, 80);
    lab.serve(b, 81);
    DesiredState state = NodeCompiler.compile(graph(lab), NODE,
        DataplaneSettings.DEFAULTS.withDenyAction(DenyAction.REJECT));
    assertThat(KernelWriters.inLab(lab).apply(state).succeeded()).isTrue();
    CommandRunner node = lab.nodeRunner();
    PacketCounterReader reader = new PacketCounterReader(node, IptablesBackend.detect(node));

    PacketCounts before = read(reader, state);
    assertThat(lab.tcpReaches(a, b, 80, IpFamily.V4)).isTrue();
    assertThat(lab.tcpReaches(a, b, 80, IpFamily.V4)).isTrue();
    assertThat(lab.tcpReaches(a, b, 81, IpFamily.V4)).isTrue();
    assertThat(lab.tcpReaches(c, b, 80, IpFamily.V4)).isFalse();
    assertThat(lab.tcpReaches(c, b, 81, IpFamily.V4)).isFalse();
    PacketCounts after = read(reader, state);

    // A denied probe sends one SYN: rejected at once, the connect fails, and Probes does not
    // try a failed connect again; an allowed one connects once, or again when a loaded
    // machine's echo server was slow to answer.
    assertThat(difference(before.denied(), after.denied())).isEqualTo(Map.of(
        new PodDirection(XB, Direction.INGRESS), 1L,
        new PodDirection(YC, Direction.EGRESS), 1L));
    Map<ObjectRef, Long> allowed = difference(before.allowed(), after.allowed());
    assertThat(allowed).containsOnlyKeys(ALLOW_A_80, ALLOW_ALL_81, C_OUT_80);
    assertThat(allowed.get(ALLOW_A_80)).isGreaterThanOrEqualTo(2L);
    assertThat(allowed.get(ALLOW_ALL_81)).isGreaterThanOrEqualTo(1L);
    assertThat(allowed.get(C_OUT_80)).isGreaterThanOrEqualTo(1L);
    assertThat(read(reader, state)).as("a second read, no traffic in between").isEqualTo(after);
  }

  private static PacketCounts read(PacketCounterReader reader, DesiredState state) {
    try {
      return reader.read(state);
    } catch (KernelCommandException e) {
      throw new AssertionError(e);
    }
  }

  /** What grew between the two readings (a key missing before counts from zero). */
  private static <K> Map<K, Long> difference(Map<K, Long> before, Map<K, Long> after) {
    Map<K, Long> grown = new TreeMap<>();
    after.forEach((key, packets) -> {
      long delta = packets - before.getOrDefault(key, 0L);
      if (delta != 0) {
        grown.put(key, delta);
      }
    });
    return grown;
  }

  private static RuleGraph graph(NetnsLab lab) {
    RuleGraph graph = new RuleGraph();
    graph.upsertNamespace(namespace("x", "ns", "x"));
    graph.upsertNamespace(namespace("y", "ns", "y"));
    graph.upsertPod(pod("a").in("x").labels("pod", "a").node(NODE)
        .ip(lab.pod(0).v4().getHostAddress()).build());
    graph.upsertPod(pod("b").in("x").labels("pod", "b").node(NODE)
        .ip(lab.pod(1).v4().getHostAddress()).build());
    graph.upsertPod(pod("c").in("y").labels("pod", "c").node(NODE)
        .ip(lab.pod(2).v4().getHostAddress()).build());
    graph.upsertPolicy(policy("allow-a-80").in("x").select(selector("pod", "b"))
        .ingress(rule().peers(podPeer("x", selector("pod", "a"))).ports(tcp(80))).build());
    graph.upsertPolicy(policy("allow-all-81").in("x").select(selector("pod", "b"))
        .ingress(rule().ports(tcp(81))).build());
    graph.upsertPolicy(policy("c-out-80").in("y").select(selector("pod", "c"))
        .egress(rule().ports(tcp(80))).build());
    return graph;
  }
}
