package dev.palisade.dataplane.compile;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.walk.PacketWalker;
import dev.palisade.dataplane.walk.PacketWalker.Outcome;
import dev.palisade.dataplane.walk.PacketWalker.Packet;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every golden scenario, walks the first packet of every connection between the reference
 * pods, the nodes and a few external addresses, for every port and protocol the scenarios use,
 * through the compiled chains of both nodes it crosses, and checks that the dataplane lets it
 * through exactly when the reference evaluator allows it.
 */
class DataplaneAgreesWithEvaluatorTest {
  /** The address of each node; node-1's is also the address of the host-network pod. */
  private static final Map<String, String> NODE_ADDRESSES = Map.of(
      "node-1", "192.168.0.1", "node-2", "192.168.0.2");
  private static final List<String> EXTERNAL = List.of("10.0.9.9", "10.0.2.200", "172.16.5.5",
      "8.8.8.8", "fd00:9::5", "fd00:2::99", "2001:db8::1");
  private static final List<Traffic> TRAFFIC = List.of(Traffic.of(Protocol.TCP, 80),
      Traffic.of(Protocol.TCP, 443), Traffic.of(Protocol.TCP, 5432),
      Traffic.of(Protocol.TCP, 8050), Traffic.of(Protocol.TCP, 8080),
      Traffic.of(Protocol.TCP, 8081), Traffic.of(Protocol.TCP, 9090),
      Traffic.of(Protocol.UDP, 53), Traffic.of(Protocol.UDP, 5353),
      Traffic.of(Protocol.SCTP, 3869), Traffic.of(Protocol.SCTP, 9000), Traffic.icmp());

  static List<GoldenScenarios.Scenario> scenarios() {
    return GoldenScenarios.all();
  }

  /** One end of a connection: an address, the endpoint pod holding it, the node it is on. */
  private record End(InetAddress ip, Optional<Pod> pod, Optional<String> node,
      boolean isNode) {
    Endpoint endpoint() {
      return new Endpoint(ip, pod);
    }

    @Override
    public String toString() {
      return pod.map(p -> p.ref().toString()).orElse(InetAddresses.toAddrString(ip))
          + (isNode ? " (node)" : "");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void theCompiledChainsDecideAsTheEvaluator(GoldenScenarios.Scenario scenario) {
    RuleGraph graph = scenario.cluster().graph();
    Evaluator evaluator = new Evaluator(graph);
    Map<String, DesiredState> states = new TreeMap<>();
    NODE_ADDRESSES.keySet().forEach(node ->
        states.put(node, NodeCompiler.compile(graph, node, scenario.settingsFor(node))));
    List<String> mismatches = new ArrayList<>();
    int checked = 0;
    for (IpFamily family : IpFamily.values()) {
      List<End> ends = ends(graph, family);
      Map<String, PacketWalker> walkers = new TreeMap<>();
      states.forEach((node, state) -> walkers.put(node, new PacketWalker(state.family(family))));
      for (End source : ends) {
        for (End destination : ends) {
          if (source.equals(destination) || (source.pod().isEmpty()
              && destination.pod().isEmpty())) {
            continue;
          }
          for (Traffic traffic : TRAFFIC) {
            boolean expected = expected(evaluator, scenario, source, destination, traffic);
            boolean actual = walk(walkers, source, destination, traffic);
            checked++;
            if (expected != actual) {
              mismatches.add(source + " -> " + destination + " " + traffic + ": dataplane "
                  + (actual ? "passes" : "denies") + ", evaluator says\n"
                  + evaluator.verdict(source.endpoint(), destination.endpoint(), traffic)
                      .explain());
            }
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(1000);
    assertThat(mismatches).as("connections where dataplane and evaluator disagree").isEmpty();
  }

  private static boolean expected(Evaluator evaluator, GoldenScenarios.Scenario scenario,
      End source, End destination, Traffic traffic) {
    boolean fromOwnNode = source.isNode() && source.node().equals(destination.node());
    if (fromOwnNode && scenario.settings().allowNodeToPods()) {
      return true;
    }
    return evaluator.verdict(source.endpoint(), destination.endpoint(), traffic).allowed();
  }

  /**
   * The built-in chains the packet crosses: OUTPUT of the node that sends it to its own pod,
   * INPUT of the node a pod sends it to, otherwise FORWARD of the source pod's node and of the
   * destination pod's node (once when they are the same node).
   */
  private static boolean walk(Map<String, PacketWalker> walkers, End source, End destination,
      Traffic traffic) {
    Packet packet = new Packet(source.ip(), destination.ip(), traffic.protocol(),
        traffic.port());
    List<String[]> steps = new ArrayList<>();
    if (source.isNode() && source.node().equals(destination.node())) {
      steps.add(new String[] {source.node().get(), "OUTPUT"});
    } else if (destination.isNode() && destination.node().equals(source.node())) {
      steps.add(new String[] {source.node().get(), "INPUT"});
    } else {
      source.pod().flatMap(p -> source.node())
          .ifPresent(node -> steps.add(new String[] {node, "FORWARD"}));
      destination.pod().flatMap(p -> destination.node())
          .filter(node -> source.pod().isEmpty() || !node.equals(source.node().orElse(null)))
          .ifPresent(node -> steps.add(new String[] {node, "FORWARD"}));
    }
    for (String[] step : steps) {
      if (walkers.get(step[0]).walk(step[1], packet) != Outcome.PASSED) {
        return false;
      }
    }
    return true;
  }

  private static List<End> ends(RuleGraph graph, IpFamily family) {
    List<End> ends = new ArrayList<>();
    for (Pod pod : graph.pods()) {
      if (pod.isEndpoint() && pod.ip(family).isPresent()) {
        ends.add(new End(pod.ip(family).get(), Optional.of(pod), Optional.of(pod.nodeName()),
            false));
      }
    }
    if (family == IpFamily.V4) {
      NODE_ADDRESSES.forEach((node, address) -> ends.add(new End(
          InetAddresses.forString(address), Optional.empty(), Optional.of(node), true)));
    }
    for (String address : EXTERNAL) {
      InetAddress ip = InetAddresses.forString(address);
      if (IpFamily.of(ip) == family) {
        ends.add(new End(ip, Optional.empty(), Optional.empty(), false));
      }
    }
    return ends;
  }
}
