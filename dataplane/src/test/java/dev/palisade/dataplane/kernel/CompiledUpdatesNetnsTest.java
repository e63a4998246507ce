package dev.palisade.dataplane.kernel;

import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.lab.Counters;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Compiled states applied one after another to a real node namespace: the writer must turn a
 * model change into the smallest kernel change (issue 3: "a changed policy rewrites only the
 * affected chains; a pod added to a selector becomes one set-member add").
 */
@Tag("kernel")
class CompiledUpdatesNetnsTest {
  private static final String NODE = "node-1";

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(2);

  private NetnsLab lab;
  private KernelWriter writer;

  private RuleGraph graph() {
    lab = labs.lab();
    writer = KernelWriters.inLab(lab);
    RuleGraph graph = new RuleGraph();
    graph.upsertNamespace(namespace("x", "ns", "x"));
    graph.upsertPod(labPod("a", lab.pod(0)));
    graph.upsertPod(labPod("b", lab.pod(1)));
    graph.upsertPolicy(policy("a-in").in("x").select(selector("pod", "a"))
        .ingress(rule().peers(podPeer("x", selector("pod", "b")))).build());
    return graph;
  }

  private static Pod labPod(String name, LabPod labPod) {
    return pod(name).in("x").labels("pod", name).node(NODE)
        .ip(labPod.v4().getHostAddress(), InetAddresses.toAddrString(labPod.v6())).build();
  }

  private DesiredState compileAndApply(RuleGraph graph) {
    DesiredState state = NodeCompiler.compile(graph, NODE, DataplaneSettings.DEFAULTS);
    ApplyResult result = writer.apply(state);
    assertThat(result.succeeded()).as("apply: %s", result).isTrue();
    return state;
  }

  @Test
  void podJoiningASelectorIsOneSetAdd() {
    RuleGraph graph = graph();
    compileAndApply(graph);

    graph.upsertPod(pod("b2").in("x").labels("pod", "b").node("node-2").ip("10.99.2.20")
        .build());
    ApplyResult result = writer.apply(NodeCompiler.compile(graph, NODE,
        DataplaneSettings.DEFAULTS));

    assertThat(result.written()).isEqualTo(new WriteCounts(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void changedPolicyRewritesOnlyTheChainsItsRulesChangedIn() {
    RuleGraph graph = graph();
    DesiredState before = compileAndApply(graph);
    lab.serve(lab.pod(0), 80);
    assertThat(lab.tcpReaches(lab.pod(1), lab.pod(0), 80, IpFamily.V4)).isTrue();
    ImmutableMap<String, Long> countersBefore = unchangedChainCounters(before, before);
    assertThat(countersBefore.values()).anyMatch(packets -> packets > 0);

    graph.upsertPolicy(policy("a-in").in("x").select(selector("pod", "a"))
        .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80))).build());
    DesiredState after = NodeCompiler.compile(graph, NODE, DataplaneSettings.DEFAULTS);
    WriteCounts written = writer.apply(after).written();

    assertThat(written.chainsRewritten())
        .isEqualTo(changedChains(before, after, IpFamily.V4)
            + changedChains(before, after, IpFamily.V6))
        .isPositive();
    assertThat(written.chainsCreated()).isZero();
    assertThat(written.setsCreated() + written.membersAdded() + written.membersRemoved())
        .isZero();
    ImmutableMap<String, Long> unchanged = unchangedChainCounters(before, after);
    assertThat(unchanged).isNotEmpty();
    unchanged.forEach((rule, packets) -> assertThat(countersBefore).containsEntry(rule, packets));
    assertThat(writer.apply(after).written()).isEqualTo(WriteCounts.NOTHING);
  }

  /** IPv4 packet counters of the rules in chains whose rules are the same in both states. */
  private ImmutableMap<String, Long> unchangedChainCounters(DesiredState before,
      DesiredState after) {
    ImmutableMap.Builder<String, Long> unchanged = ImmutableMap.builder();
    Counters.packets(lab.inNode("iptables-save", "-c", "-t", "filter")).forEach((rule, n) -> {
      String chain = rule.substring(0, rule.indexOf('/'));
      ChainSpec old = before.v4().chains().get(chain);
      if (old != null && old.equals(after.v4().chains().get(chain))) {
        unchanged.put(rule, n);
      }
    });
    return unchanged.build();
  }

  private static long changedChains(DesiredState before, DesiredState after, IpFamily family) {
    return after.family(family).chains().values().stream()
        .filter(chain -> {
          ChainSpec old = before.family(family).chains().get(chain.name());
          return old != null && !old.rules().equals(chain.rules());
        })
        .count();
  }
}
