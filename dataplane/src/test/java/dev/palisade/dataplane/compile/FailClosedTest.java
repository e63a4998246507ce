package dev.palisade.dataplane.compile;

import static dev.palisade.model.testing.Builders.pod;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.walk.PacketWalker;
import dev.palisade.dataplane.walk.PacketWalker.Outcome;
import dev.palisade.dataplane.walk.PacketWalker.Packet;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With fail-closed, an address of the node's pod CIDR that no known local pod holds (a pod the
 * agent has not programmed yet) can neither send nor receive through the node, while known pods
 * and addresses outside the CIDR are unaffected; without it, the unknown pod passes.
 */
class FailClosedTest {
  private static final InetAddress KNOWN = InetAddresses.forString("10.0.1.10");
  private static final InetAddress UNKNOWN = InetAddresses.forString("10.0.1.99");
  private static final InetAddress REMOTE = InetAddresses.forString("10.0.2.10");

  private static PacketWalker walker(DataplaneSettings settings) {
    RuleGraph graph = new RuleGraph();
    graph.upsertPod(pod("a").in("x").ip("10.0.1.10").node("node-1").build());
    graph.upsertPod(pod("b").in("x").ip("10.0.2.10").node("node-2").build());
    return new PacketWalker(NodeCompiler.compile(graph, "node-1", settings)
        .family(IpFamily.V4));
  }

  private static Outcome forward(PacketWalker walker, InetAddress from, InetAddress to) {
    return walker.walk("FORWARD", new Packet(from, to, Protocol.TCP, 80));
  }

  @Test
  void unknownAddressesOfTheNodesPodCidrAreCutOffUntilKnown() {
    PacketWalker failClosed = walker(DataplaneSettings.DEFAULTS
        .withFailClosed(List.of(Cidr.parse("10.0.1.0/24"))));

    assertThat(forward(failClosed, UNKNOWN, REMOTE)).isEqualTo(Outcome.DROPPED);
    assertThat(forward(failClosed, REMOTE, UNKNOWN)).isEqualTo(Outcome.DROPPED);
    assertThat(forward(failClosed, KNOWN, REMOTE)).isEqualTo(Outcome.PASSED);
    assertThat(forward(failClosed, REMOTE, KNOWN)).isEqualTo(Outcome.PASSED);
  }

  @Test
  void strictTcpPickupDropsMidStreamPacketsThatConntrackSeesAsNew() {
    RuleGraph graph = new RuleGraph();
    graph.upsertPod(pod("a").in("x").ip("10.0.1.10").node("node-1").build());
    FamilyState strict = NodeCompiler.compile(graph, "node-1",
        DataplaneSettings.DEFAULTS.withStrictTcpPickup(true)).family(IpFamily.V4);
    FamilyState loose = NodeCompiler.compile(graph, "node-1", DataplaneSettings.DEFAULTS)
        .family(IpFamily.V4);

    assertThat(strict.chains().get(StableNames.DEFAULT.forwardChain()).rules()).anySatisfy(rule ->
        assertThat(rule).startsWith("-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN "
            + "-m conntrack --ctstate NEW").endsWith("-j DROP"));
    assertThat(loose.chains().get(StableNames.DEFAULT.forwardChain()).rules())
        .noneMatch(rule -> rule.contains("--tcp-flags"));
  }

  @Test
  void byDefaultAnUnknownPodIsOpenUntilKnown() {
    PacketWalker open = walker(DataplaneSettings.DEFAULTS);

    assertThat(forward(open, UNKNOWN, REMOTE)).isEqualTo(Outcome.PASSED);
    assertThat(forward(open, REMOTE, UNKNOWN)).isEqualTo(Outcome.PASSED);
  }
}
