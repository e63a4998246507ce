package dev.palisade.dataplane.kernel;

import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.named;
import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.range;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static dev.palisade.model.testing.Builders.udp;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.DenyAction;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.dataplane.lab.Reachability;
import dev.palisade.dataplane.lab.Reachability.Probe;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import dev.palisade.model.testing.Builders.PodBuilder;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compiler and writer together against real connections: each scenario's policies are compiled
 * for the lab's node, applied through the writer, and every pod pair is probed over TCP and UDP
 * on ports 80 and 81; the observed table must equal the reference evaluator's verdicts.
 *
 * <p>The lab's pods play x/a (p1), x/b (p2) and y/c (p3). Named ports differ per pod so a name
 * means different numbers for different destinations: {@code web} is 80/TCP on a, 81/TCP on b
 * and 80/TCP on c; {@code dns} is 81/UDP on a and 80/UDP on b, and c has none.
 */
@Tag("kernel")
class CompiledScenarioNetnsTest {
  private static final String NODE = "node-1";
  private static final List<Probe> PROBES = List.of(new Probe(Protocol.TCP, 80),
      new Probe(Protocol.TCP, 81), new Probe(Protocol.UDP, 80), new Probe(Protocol.UDP, 81));
  private static final DataplaneSettings DROP = DataplaneSettings.DEFAULTS;
  private static final DataplaneSettings REJECT =
      DataplaneSettings.DEFAULTS.withDenyAction(DenyAction.REJECT);

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(3);

  record Scenario(String name, DataplaneSettings settings, Set<IpFamily> families,
      List<Policy> policies) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Scenario> scenarios() {
    return Stream.of(
        new Scenario("named ports, ingress", REJECT, Set.of(IpFamily.V4), List.of(
            policy("a-web").in("x").select(selector("pod", "a"))
                .ingress(rule().ports(named(Protocol.TCP, "web"), named(Protocol.UDP, "dns")))
                .build(),
            policy("b-web").in("x").select(selector("pod", "b"))
                .ingress(rule().ports(named(Protocol.TCP, "web"))).build())),
        new Scenario("named ports, egress resolved per destination", DROP,
            Set.of(IpFamily.V4), List.of(
                policy("a-out").in("x").select(selector("pod", "a")).types(Direction.EGRESS)
                    .egress(rule().peers(namespacePeer(LabelSelector.EVERYTHING))
                        .ports(named(Protocol.TCP, "web"), named(Protocol.UDP, "dns")))
                    .build())),
        new Scenario("ipBlock with except, both families", REJECT,
            Set.of(IpFamily.V4, IpFamily.V6), List.of(
                policy("c-from-block").in("y").select(selector("pod", "c"))
                    .ingress(rule().peers(ipBlock("10.99.1.0/24", "10.99.1.11/32"),
                        ipBlock("fd00:99::/64", "fd00:99::11/128")))
                    .build())),
        new Scenario("endPort ranges", REJECT, Set.of(IpFamily.V4), List.of(
            policy("c-range").in("y").select(selector("pod", "c"))
                .ingress(rule().ports(range(Protocol.TCP, 80, 81), range(Protocol.UDP, 81, 90)))
                .build())),
        new Scenario("egress only", DROP, Set.of(IpFamily.V4), List.of(
            policy("b-out").in("x").select(selector("pod", "b")).types(Direction.EGRESS)
                .egress(rule().peers(podPeer("y", selector("pod", "c"))).ports(udp(80)))
                .build())),
        new Scenario("both directions", REJECT, Set.of(IpFamily.V4, IpFamily.V6), List.of(
            policy("a-in").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(podPeer("x", selector("pod", "b")))).build(),
            policy("c-both").in("y").select(selector("pod", "c"))
                .types(Direction.INGRESS, Direction.EGRESS)
                .ingress(rule().peers(podPeer("x", selector("pod", "a"))).ports(tcp(81)))
                .egress(rule().peers(namespacePeer(selector("ns", "x"))).ports(tcp(80)))
                .build())),
        // An egress-isolated pod must still answer and send IPv6 neighbour discovery to its
        // node: NS/NA from the pod's global address traverse the node's INPUT chain.
        new Scenario("IPv6 egress isolation keeps neighbour discovery", REJECT,
            Set.of(IpFamily.V6), List.of(
                policy("c-out").in("y").select(selector("pod", "c")).types(Direction.EGRESS)
                    .egress(rule().peers(namespacePeer(selector("ns", "x"))).ports(tcp(80)))
                    .build())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void realConnectionsMatchTheEvaluator(Scenario scenario) {
    NetnsLab lab = labs.lab();
    for (LabPod pod : lab.pods()) {
      lab.serve(pod, 80);
      lab.serve(pod, 81);
    }
    List<Pod> pods = modelPods(lab);
    RuleGraph graph = graph(pods, scenario.policies());
    DesiredState state = NodeCompiler.compile(graph, NODE, scenario.settings());
    KernelWriter writer = KernelWriters.inLab(lab);

    ApplyResult first = writer.apply(state);
    ApplyResult second = writer.apply(state);

    assertThat(first.succeeded()).as("first apply: %s", first).isTrue();
    assertThat(second.written()).as("second apply").isEqualTo(WriteCounts.NOTHING);
    Evaluator evaluator = new Evaluator(graph);
    for (IpFamily family : scenario.families()) {
      Reachability expected = Reachability.expected(lab.pods(), PROBES, cell ->
          evaluator.verdict(
              Endpoint.of(pods.get(lab.pods().indexOf(cell.from())), family),
              Endpoint.of(pods.get(lab.pods().indexOf(cell.to())), family),
              Traffic.of(cell.probe().protocol(), cell.probe().port())).allowed());
      Reachability observed = Reachability.observed(lab, PROBES, family);
      String differences = expected.differences(observed);
      if (!differences.isEmpty()) {
        String save = family == IpFamily.V4 ? "iptables-save" : "ip6tables-save";
        assertThat(differences).as("%s %s\nexpected:\n%s\nobserved:\n%s\nnode kernel:\n%s%s",
            scenario, family, expected.grid(), observed.grid(),
            lab.inNode(save, "-c", "-t", "filter"), lab.inNode("ipset", "save")).isEmpty();
      }
    }
  }

  /** x/a, x/b and y/c with the lab pods' addresses, all on the lab's node. */
  private static List<Pod> modelPods(NetnsLab lab) {
    return List.of(
        address(pod("a").in("x").labels("pod", "a").port("web", 80, Protocol.TCP)
            .port("dns", 81, Protocol.UDP), lab.pod(0)),
        address(pod("b").in("x").labels("pod", "b").port("web", 81, Protocol.TCP)
            .port("dns", 80, Protocol.UDP), lab.pod(1)),
        address(pod("c").in("y").labels("pod", "c").port("web", 80, Protocol.TCP),
            lab.pod(2)));
  }

  private static Pod address(PodBuilder builder,
      LabPod labPod) {
    return builder.node(NODE).ip(labPod.v4().getHostAddress(),
        InetAddresses.toAddrString(labPod.v6())).build();
  }

  private static RuleGraph graph(List<Pod> pods, List<Policy> policies) {
    RuleGraph graph = new RuleGraph();
    graph.upsertNamespace(namespace("x", "ns", "x"));
    graph.upsertNamespace(namespace("y", "ns", "y"));
    pods.forEach(graph::upsertPod);
    policies.forEach(graph::upsertPolicy);
    return graph;
  }
}
