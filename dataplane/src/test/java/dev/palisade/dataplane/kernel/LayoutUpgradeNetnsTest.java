package dev.palisade.dataplane.kernel;

import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.dataplane.rules.RuleIdentity;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.HookSpec;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node programmed by an agent of the previous layout (its jumps take every packet, and each
 * Palisade chain a jump enters starts by returning established and related packets) is brought
 * to the current one (the jumps leave those packets out) by one apply that reads the kernel, as
 * the upgraded agent's first sync does, and replies the policies would deny still pass.
 */
@Tag("kernel")
class LayoutUpgradeNetnsTest {
  private static final String NODE = "node-1";
  private static final int PORT = 80;
  private static final String RETURN_ESTABLISHED =
      "-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment \"%s\" -j RETURN";

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(2);

  @Test
  void aNodeOfThePreviousLayoutIsUpgradedAndRepliesStillPass() {
    NetnsLab lab = labs.lab();
    LabPod client = lab.pod(0);
    LabPod server = lab.pod(1);
    lab.serve(server, PORT);
    RuleGraph graph = new RuleGraph();
    graph.upsertNamespace(namespace("x", "ns", "x"));
    graph.upsertPod(labPod("client", client));
    graph.upsertPod(labPod("server", server));
    graph.upsertPolicy(policy("server-in").in("x").select(selector("pod", "server"))
        .ingress(rule().peers(podPeer("x", selector("pod", "client"))).ports(tcp(PORT)))
        .build());
    // The client admits nothing: the server's SYN-ACK passes only as an established reply.
    graph.upsertPolicy(policy("client-in").in("x").select(selector("pod", "client"))
        .types(Direction.INGRESS).build());
    DesiredState current = NodeCompiler.compile(graph, NODE, DataplaneSettings.DEFAULTS);
    KernelWriter writer = KernelWriters.inLab(lab);
    ApplyResult previous = writer.apply(previousLayout(current));
    assertThat(previous.succeeded()).as("previous layout: %s", previous).isTrue();
    assertThat(lab.tcpReaches(client, server, PORT, IpFamily.V4)).as("before the upgrade")
        .isTrue();

    ApplyResult upgrade = writer.apply(current);

    assertThat(upgrade.succeeded()).as("upgrade: %s", upgrade).isTrue();
    assertThat(lab.tcpReaches(client, server, PORT, IpFamily.V4)).as("after the upgrade")
        .isTrue();
    // FORWARD and INPUT of both families
    assertThat(upgrade.written().hooksFixed()).isEqualTo(4);
    assertThat(upgrade.written().hooksRemoved()).isEqualTo(4);
    assertThat(lab.inNode("iptables", "-S", "FORWARD").lines()
        .filter(line -> line.contains("PALISADE-")))
        .containsExactly("-A FORWARD -m conntrack ! --ctstate RELATED,ESTABLISHED -m comment"
            + " --comment \"" + RuleText.parse(current.v4().hooks().stream()
                .filter(hook -> hook.builtinChain().equals("FORWARD")).findFirst()
                .orElseThrow().rule()).hash().map(hash -> "pal:" + hash).orElseThrow()
            + "\" -j PALISADE-FORWARD");
    assertThat(lab.inNode("iptables", "-S", "PALISADE-FORWARD"))
        .doesNotContain("RELATED,ESTABLISHED");
    assertThat(writer.apply(current).written().wroteNothing()).as("a second apply").isTrue();
  }

  private static Pod labPod(String name, LabPod labPod) {
    return pod(name).in("x").labels("pod", name).node(NODE)
        .ip(labPod.v4().getHostAddress(), InetAddresses.toAddrString(labPod.v6())).build();
  }

  /** The state as the previous layout rendered it. */
  private static DesiredState previousLayout(DesiredState state) {
    return new DesiredState(previousLayout(state.v4()), previousLayout(state.v6()));
  }

  private static FamilyState previousLayout(FamilyState state) {
    Map<String, ChainSpec> chains = new LinkedHashMap<>(state.chains());
    ImmutableList.Builder<HookSpec> hooks = ImmutableList.builder();
    for (HookSpec hook : state.hooks()) {
      String target = RuleText.parse(hook.rule()).target().orElseThrow();
      hooks.add(new HookSpec(hook.builtinChain(), hook.position(), "-m comment --comment \""
          + RuleIdentity.comment(hook.builtinChain(), "-j " + target, 0) + "\" -j " + target));
      ChainSpec entered = chains.get(target);
      chains.put(target, new ChainSpec(target, ImmutableList.<String>builder()
          .add(String.format(RETURN_ESTABLISHED,
              RuleIdentity.comment(target, "established", 0)))
          .addAll(entered.rules()).build()));
    }
    return new FamilyState(state.family(), ImmutableSortedMap.copyOf(chains), hooks.build(),
        state.sets(), state.owners());
  }
}
