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
import static dev.palisade.model.testing.Builders.anyPort;
import static dev.palisade.model.testing.Builders.named;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.range;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.sctp;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static dev.palisade.model.testing.Builders.udp;

import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.Pod;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Protocol;
import dev.palisade.model.testing.TestCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md section 3, item 8 (ports: protocol, ranges, named ports) and item 13 (ICMP: only a
 * rule without ports lets it through). Besides the reference ports (80/TCP, 80/UDP, 81/UDP), x/a
 * declares {@code web} as 8080/TCP and x/b as 9090/TCP; x/c has no {@code web}.
 */
class PortSemanticsTest {

  private static final List<Object> WEB_PORTS = List.of(
      withPort("x/a", 8080), withPort("x/b", 9090));

  static Stream<SemanticsCase> cases() {
    return Stream.of(
        // "protocol represents the protocol (TCP, UDP, or SCTP) which traffic must match. If
        // not specified, this field defaults to TCP."
        SemanticsCase.of("a TCP port matches TCP only", ingressPorts(tcp(80)),
            allowed("y/a", "x/a", TCP_80), denied("y/a", "x/a", UDP_80),
            denied("y/a", "x/a", SCTP_80), denied("y/a", "x/a", tcpTraffic(81))),
        SemanticsCase.of("a UDP port matches UDP only", ingressPorts(udp(80)),
            allowed("y/a", "x/a", UDP_80), denied("y/a", "x/a", TCP_80),
            denied("y/a", "x/a", SCTP_80)),
        SemanticsCase.of("an SCTP port matches SCTP only", ingressPorts(sctp(80)),
            allowed("y/a", "x/a", SCTP_80), denied("y/a", "x/a", TCP_80),
            denied("y/a", "x/a", UDP_80)),
        // "Each item in this list is combined using a logical OR."
        SemanticsCase.of("port entries are alternatives", ingressPorts(tcp(80), udp(81)),
            allowed("y/a", "x/a", TCP_80), allowed("y/a", "x/a", UDP_81),
            denied("y/a", "x/a", tcpTraffic(81)), denied("y/a", "x/a", UDP_80)),
        // "endPort indicates that the range of ports from port to endPort if set, inclusive,
        // should be allowed by the policy."
        SemanticsCase.of("endPort makes an inclusive range", ingressPorts(
                range(Protocol.TCP, 8000, 8100)),
            allowed("y/a", "x/a", tcpTraffic(8000)), allowed("y/a", "x/a", tcpTraffic(8050)),
            allowed("y/a", "x/a", tcpTraffic(8100)), denied("y/a", "x/a", tcpTraffic(7999)),
            denied("y/a", "x/a", tcpTraffic(8101)), denied("y/a", "x/a", udpTraffic(8050))),
        // "If this field is not provided, this matches all port names and numbers." With the
        // protocol defaulted, ports: [{}] is every TCP port, and nothing else.
        SemanticsCase.of("ports [{}] is every TCP port", ingressPorts(anyPort(Protocol.TCP)),
            allowed("y/a", "x/a", tcpTraffic(1)), allowed("y/a", "x/a", tcpTraffic(65535)),
            denied("y/a", "x/a", UDP_80), denied("y/a", "x/a", SCTP_80),
            denied("y/a", "x/a", ICMP)),
        SemanticsCase.of("protocol UDP without a port is every UDP port",
            ingressPorts(anyPort(Protocol.UDP)),
            allowed("y/a", "x/a", udpTraffic(1)), allowed("y/a", "x/a", UDP_81),
            denied("y/a", "x/a", TCP_80)),

        // Item 8: a named port resolves against the pod that receives the traffic.
        SemanticsCase.of("ingress named port: each selected pod's own number",
            concat(WEB_PORTS, ingressPorts(named(Protocol.TCP, "web"))),
            allowed("y/a", "x/a", tcpTraffic(8080)), denied("y/a", "x/a", tcpTraffic(9090)),
            allowed("y/a", "x/b", tcpTraffic(9090)), denied("y/a", "x/b", tcpTraffic(8080)),
            denied("y/a", "x/c", tcpTraffic(8080)), denied("y/a", "x/c", tcpTraffic(9090))),
        SemanticsCase.of("egress named port: resolved against the destination pod",
            concat(WEB_PORTS, List.of(policy("out").in("y").select(selector("pod", "a"))
                .egress(rule().ports(named(Protocol.TCP, "web"))).build())),
            allowed("y/a", "x/a", tcpTraffic(8080)), denied("y/a", "x/a", tcpTraffic(9090)),
            allowed("y/a", "x/b", tcpTraffic(9090)), denied("y/a", "x/b", tcpTraffic(8080)),
            denied("y/a", "x/c", tcpTraffic(8080)),
            denied("y/a", "203.0.113.9", tcpTraffic(8080))),
        SemanticsCase.of("a named port matches only with the protocol it is declared for",
            concat(WEB_PORTS, ingressPorts(named(Protocol.UDP, "web"))),
            denied("y/a", "x/a", tcpTraffic(8080)), denied("y/a", "x/a", udpTraffic(8080))),
        SemanticsCase.of("a UDP named port",
            ingressPorts(named(Protocol.UDP, "serve-81-udp")),
            allowed("y/a", "x/a", UDP_81), denied("y/a", "x/a", tcpTraffic(81))),
        SemanticsCase.of("a name no pod declares matches nothing",
            ingressPorts(named(Protocol.TCP, "metrics")),
            denied("y/a", "x/a", TCP_80), denied("y/a", "x/b", tcpTraffic(9090))),
        // "This field cannot be defined if the port field is not defined or if the port field
        // is defined as a named (string) port." The API rejects it; we fail closed.
        SemanticsCase.of("a named port written with endPort matches nothing",
            concat(WEB_PORTS, ingressPorts(new PortMatcher.NamedPort(Protocol.TCP, "web", true))),
            denied("y/a", "x/a", tcpTraffic(8080)), denied("y/a", "x/b", tcpTraffic(9090))),

        // Item 13: ICMP.
        SemanticsCase.of("13: a rule without ports lets ping through",
            List.of(policy("p").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(podPeer("x", selector("pod", "b")))).build()),
            allowed("x/b", "x/a", ICMP), denied("x/c", "x/a", ICMP)),
        SemanticsCase.of("13: a pod whose rules all name ports does not answer ping",
            ingressPorts(tcp(80), udp(81), range(Protocol.TCP, 1, 65535)),
            denied("y/a", "x/a", ICMP), allowed("y/a", "x/a", TCP_80)),
        SemanticsCase.of("13: one rule without ports among rules with ports",
            List.of(policy("p").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80)),
                    rule().peers(podPeer("x", selector("pod", "c"))))
                .build()),
            denied("x/b", "x/a", ICMP), allowed("x/c", "x/a", ICMP)),
        SemanticsCase.of("13: egress rules with ports block ping out",
            List.of(policy("out").in("x").select(selector("pod", "a"))
                .egress(rule().ports(tcp(80))).build()),
            denied("x/a", "y/a", ICMP), allowed("x/a", "y/a", TCP_80)),
        SemanticsCase.of("13: a pod no policy isolates answers ping",
            List.of(policy("deny").in("x").select(selector("pod", "a"))
                .types(Direction.INGRESS, Direction.EGRESS).build()),
            allowed("x/b", "x/c", ICMP), denied("x/b", "x/a", ICMP)),
        SemanticsCase.of("13: ICMP over IPv6 follows the same rule",
            ingressPorts(tcp(80)),
            denied("y/a", "x/a", ICMP).v6(), allowed("y/a", "x/a", TCP_80).v6()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void ports(SemanticsCase semanticsCase) {
    semanticsCase.verify();
  }

  /** Every pod of x accepts traffic from anywhere on these ports only. */
  private static List<Object> ingressPorts(PortMatcher... ports) {
    return List.of(policy("ports").in("x").ingress(rule().ports(ports)).build());
  }

  private static List<Object> concat(List<Object> first, List<?> second) {
    List<Object> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  /** A reference pod that also declares {@code web} as this TCP port. */
  private static Pod withPort(String ref, int web) {
    return TestCluster.withPort(TestCluster.reference().pod(ref),
        new ContainerPort("web", web, Protocol.TCP));
  }
}
