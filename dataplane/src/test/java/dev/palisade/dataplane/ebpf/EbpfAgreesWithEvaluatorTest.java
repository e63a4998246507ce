package dev.palisade.dataplane.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.DenyAction;
import dev.palisade.dataplane.compile.GoldenScenarios;
import dev.palisade.dataplane.plan.NodePlanner;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.DirectionVerdict;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.RuleRef;
import dev.palisade.model.eval.Verdict;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every golden scenario, renders both nodes' plans as eBPF maps and decides every
 * connection between the reference pods and a few external addresses, for every port and
 * protocol the scenarios use, as the program does (endpoint flags, the identity of the remote
 * address by longest prefix, one verdict lookup per direction the pod's node enforces), and
 * checks that the maps let it through exactly when the reference evaluator allows it, in each
 * direction, and count it where the iptables backend would: for the first allowing policy by
 * name (the evaluator's allowedBy), or as denied for the pod and direction. Traffic
 * from and to the nodes themselves is left out: the evaluator does not model it (EbpfNetnsTest
 * probes the node's own traffic).
 */
class EbpfAgreesWithEvaluatorTest {
  private static final List<String> NODES = List.of("node-1", "node-2");
  private static final List<String> EXTERNAL = List.of("10.0.9.9", "10.0.2.200", "172.16.5.5",
      "8.8.8.8", "fd00:9::5", "fd00:2::99", "2001:db8::1");
  private static final List<dev.palisade.model.eval.Traffic> TRAFFIC = List.of(
      dev.palisade.model.eval.Traffic.of(Protocol.TCP, 80),
      dev.palisade.model.eval.Traffic.of(Protocol.TCP, 443),
      dev.palisade.model.eval.Traffic.of(Protocol.TCP, 5432),
      dev.palisade.model.eval.Traffic.of(Protocol.TCP, 8050),
      dev.palisade.model.eval.Traffic.of(Protocol.TCP, 8080),
      dev.palisade.model.eval.Traffic.of(Protocol.TCP, 8081),
      dev.palisade.model.eval.Traffic.of(Protocol.TCP, 9090),
      dev.palisade.model.eval.Traffic.of(Protocol.UDP, 53),
      dev.palisade.model.eval.Traffic.of(Protocol.UDP, 5353),
      dev.palisade.model.eval.Traffic.of(Protocol.SCTP, 3869),
      dev.palisade.model.eval.Traffic.of(Protocol.SCTP, 9000),
      dev.palisade.model.eval.Traffic.icmp());

  static List<GoldenScenarios.Scenario> scenarios() {
    return GoldenScenarios.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void theMapsDecideAsTheEvaluator(GoldenScenarios.Scenario scenario) {
    RuleGraph graph = scenario.cluster().graph();
    Evaluator evaluator = new Evaluator(graph);
    Map<String, EbpfPlan> maps = new TreeMap<>();
    NODES.forEach(node -> maps.put(node, new EbpfRenderer(new IdentityTable.Interner(),
        DataplaneSettings.DEFAULTS)
        .render(NodePlanner.plan(graph, node))));
    List<String> mismatches = new ArrayList<>();
    int checked = 0;
    for (IpFamily family : IpFamily.values()) {
      List<Endpoint> ends = ends(graph, family);
      for (Endpoint source : ends) {
        for (Endpoint destination : ends) {
          if (source.equals(destination)
              || (source.pod().isEmpty() && destination.pod().isEmpty())) {
            continue;
          }
          for (dev.palisade.model.eval.Traffic traffic : TRAFFIC) {
            Verdict verdict = evaluator.verdict(source, destination, traffic);
            Decision egress = source.pod().map(pod -> decide(maps.get(pod.nodeName()), pod,
                Direction.EGRESS, destination.ip(), traffic)).orElse(Decision.UNJUDGED);
            Decision ingress = destination.pod().map(pod -> decide(maps.get(pod.nodeName()),
                pod, Direction.INGRESS, source.ip(), traffic)).orElse(Decision.UNJUDGED);
            checked++;
            if (!egress.equals(expected(verdict.egress()))
                || !ingress.equals(expected(verdict.ingress()))) {
              mismatches.add(source + " -> " + destination + " " + traffic + ": maps "
                  + egress + " out, " + ingress + " in; evaluator says\n" + verdict.explain());
            }
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(1000);
    assertThat(mismatches).as("connections where the eBPF maps and the evaluator disagree")
        .isEmpty();
  }

  /**
   * The deny action is a flag of every endpoint and changes nothing else: with REJECT each
   * endpoint rejects, with the same id and isolation, and the identities and verdicts are those
   * of DROP.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void rejectIsAFlagOfEveryEndpointAndChangesNothingElse(GoldenScenarios.Scenario scenario) {
    RuleGraph graph = scenario.cluster().graph();
    for (String node : NODES) {
      EbpfPlan dropping = new EbpfRenderer(new IdentityTable.Interner(),
          DataplaneSettings.DEFAULTS).render(NodePlanner.plan(graph, node));
      EbpfPlan rejecting = new EbpfRenderer(new IdentityTable.Interner(),
          DataplaneSettings.DEFAULTS.withDenyAction(DenyAction.REJECT))
          .render(NodePlanner.plan(graph, node));

      assertThat(dropping.endpoints().values()).noneMatch(EbpfEndpoint::reject);
      assertThat(rejecting.endpoints()).hasSameSizeAs(dropping.endpoints());
      dropping.endpoints().forEach((pod, endpoint) -> assertThat(rejecting.endpoints().get(pod))
          .isEqualTo(new EbpfEndpoint(endpoint.id(), endpoint.isolatedIngress(),
              endpoint.isolatedEgress(), endpoint.nodeTrafficAllowed(), true,
              endpoint.deniedIngressSlot(), endpoint.deniedEgressSlot())));
      assertThat(rejecting.identities().prefixes()).isEqualTo(dropping.identities().prefixes());
      assertThat(rejecting.verdicts()).isEqualTo(dropping.verdicts());
    }
  }

  /** Whether a packet passes one direction, and whose slot counts it (none: not counted). */
  private record Decision(boolean passes, Optional<CounterOwner> countedFor) {
    static final Decision UNJUDGED = new Decision(true, Optional.empty());

    @Override
    public String toString() {
      return (passes ? "pass" : "drop") + countedFor.map(owner -> " (" + owner + ")").orElse("");
    }
  }

  /** What the iptables backend does in one direction: its pod chain's verdict and counter. */
  private static Decision expected(DirectionVerdict verdict) {
    return switch (verdict.outcome()) {
      case NOT_A_POD, NOT_ISOLATED -> Decision.UNJUDGED;
      case ALLOWED -> new Decision(true, Optional.of(new CounterOwner.Allowed(
          verdict.allowedBy().stream().map(RuleRef::policy).min(Comparator.naturalOrder())
              .orElseThrow())));
      case DENIED -> new Decision(false,
          Optional.of(new CounterOwner.Denied(verdict.pod(), verdict.direction())));
    };
  }

  /**
   * What the program decides at the pod's interface for this direction: the longest verdict
   * that covers the packet passes it and counts it in its slot; none drops it, counted in the
   * endpoint's denied slot.
   */
  private static Decision decide(EbpfPlan plan, Pod pod, Direction direction,
      InetAddress remote, dev.palisade.model.eval.Traffic traffic) {
    EbpfEndpoint endpoint = plan.endpoints().get(pod.ref());
    if (endpoint == null || !endpoint.isolated(direction)) {
      return Decision.UNJUDGED;
    }
    int identity = plan.identities().identityOf(remote);
    int protocol = Traffic.number(traffic.protocol());
    return plan.verdicts().entrySet().stream()
        .filter(verdict -> verdict.getKey().endpoint() == endpoint.id()
            && verdict.getKey().identity() == identity
            && verdict.getKey().direction() == direction
            && covers(verdict.getKey().traffic(), protocol, traffic.port()))
        .max(Comparator.comparingInt(verdict -> verdict.getKey().traffic().keyPrefixLength()))
        .map(verdict -> new Decision(true,
            Optional.ofNullable(plan.counters().get(verdict.getValue()))))
        .orElseGet(() -> new Decision(false,
            Optional.ofNullable(plan.counters().get(endpoint.deniedSlot(direction)))));
  }

  /** Whether a verdict's traffic prefix covers the packet's protocol and port. */
  private static boolean covers(Traffic allowed, int protocol, int port) {
    if (allowed.protocol() == Traffic.EVERY_PROTOCOL) {
      return true;
    }
    if (allowed.protocol() != protocol || protocol == Traffic.number(Protocol.ICMP)) {
      return false;
    }
    int size = 1 << (16 - allowed.portBits());
    return port >= allowed.port() && port < allowed.port() + size;
  }

  private static List<Endpoint> ends(RuleGraph graph, IpFamily family) {
    List<Endpoint> ends = new ArrayList<>();
    for (Pod pod : graph.pods()) {
      if (pod.isEndpoint() && pod.ip(family).isPresent()) {
        ends.add(new Endpoint(pod.ip(family).get(), Optional.of(pod)));
      }
    }
    for (String address : EXTERNAL) {
      InetAddress ip = InetAddresses.forString(address);
      if (IpFamily.of(ip) == family) {
        ends.add(new Endpoint(ip, Optional.empty()));
      }
    }
    return ends;
  }
}
