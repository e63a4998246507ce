package dev.palisade.dataplane.compile;

import static dev.palisade.model.testing.Builders.anyPort;
import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.named;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.peer;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.range;
import static dev.palisade.model.testing.Builders.requirement;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.sctp;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static dev.palisade.model.testing.Builders.udp;

import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.LabelRequirement.Operator;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Representative scenarios, one per semantic of DESIGN.md section 3 and per setting; each has
 * a golden file {@code golden/<name>.txt} with the payloads node-1 would restore.
 */
public final class GoldenScenarios {
  private GoldenScenarios() {}

  public record Scenario(String name, TestCluster cluster, DataplaneSettings settings) {
    Scenario(String name, TestCluster cluster) {
      this(name, cluster, DataplaneSettings.DEFAULTS);
    }

    /**
     * The settings of one node's agent. Fail-closed names a node's own pod CIDRs, and the
     * scenarios give those of {@link TestCluster#NODE}; the other node's agent, configured with
     * its own CIDRs, which the scenarios do not name, runs without.
     */
    DataplaneSettings settingsFor(String node) {
      return node.equals(TestCluster.NODE) ? settings : settings.withFailClosed(List.of());
    }

    @Override
    public String toString() {
      return name;
    }
  }

  public static List<Scenario> all() {
    DataplaneSettings defaults = DataplaneSettings.DEFAULTS;
    return List.of(
        new Scenario("no-policies", TestCluster.reference()),
        new Scenario("deny-all-ingress", TestCluster.reference().with(
            policy("deny-all").in("x").types(Direction.INGRESS).build())),
        new Scenario("allow-all-ingress", TestCluster.reference().with(
            policy("allow-all").in("x").ingress(rule()).build())),
        new Scenario("allow-from-pod-selector", TestCluster.reference().with(
            policy("allow-b").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(podPeer("x", selector("pod", "b")))).build())),
        new Scenario("allow-from-namespace-selector", TestCluster.reference().with(
            policy("allow-y").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(namespacePeer(selector("ns", "y")))).build())),
        new Scenario("and-vs-or-peers", TestCluster.reference().with(
            policy("and").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(peer(selector("ns", "y"), selector("pod", "b"))))
                .build(),
            policy("or").in("x").select(selector("pod", "b"))
                .ingress(rule().peers(namespacePeer(selector("ns", "y")),
                    podPeer("x", selector("pod", "b"))))
                .build())),
        new Scenario("match-expressions", TestCluster.reference().with(
            policy("expressions").in("x")
                .select(selector(requirement("pod", Operator.IN, "a", "b"),
                    requirement("app", Operator.EXISTS)))
                .ingress(rule().peers(peer(
                    selector(requirement("ns", Operator.NOT_IN, "z")),
                    selector(requirement("app", Operator.DOES_NOT_EXIST)))))
                .build())),
        new Scenario("ipblock-except-v4", TestCluster.reference().with(
            policy("egress-block").in("x").select(selector("pod", "a"))
                .egress(rule().peers(ipBlock("10.0.0.0/16", "10.0.2.0/24", "10.0.2.22/32",
                    "192.168.0.0/16")))
                .build())),
        new Scenario("ipblock-except-v6", TestCluster.reference().with(
            policy("ingress-block").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(ipBlock("fd00::/16", "fd00:2::/64"),
                    ipBlock("::/0", "fd00::/16")))
                .build())),
        new Scenario("named-ports-ingress", TestCluster.reference().with(
            policy("http-in").in("x").select(selector("app", "web"))
                .ingress(rule().ports(named(Protocol.TCP, "http"), named(Protocol.UDP, "dns")))
                .build(),
            policy("http-in-db").in("x").select(selector("pod", "b"))
                .ingress(rule().peers(podPeer("x", selector("pod", "a")))
                    .ports(named(Protocol.TCP, "http")))
                .build())),
        new Scenario("named-ports-egress", TestCluster.reference().with(
            policy("dns-out").in("x").select(selector("pod", "a"))
                .egress(rule().peers(namespacePeer(LabelSelector.EVERYTHING))
                        .ports(named(Protocol.UDP, "dns")),
                    rule().ports(named(Protocol.TCP, "http")),
                    rule().peers(ipBlock("10.0.2.0/24", "10.0.2.12/32"), ipBlock("fd00:2::/64"))
                        .ports(named(Protocol.TCP, "http"), tcp(8443)))
                .build())),
        new Scenario("end-port", TestCluster.reference().with(
            policy("range").in("x").select(selector("pod", "a"))
                .ingress(rule().ports(range(Protocol.TCP, 8000, 8100), tcp(80))).build())),
        new Scenario("udp", TestCluster.reference().with(
            policy("dns").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(udp(53)))
                .build())),
        new Scenario("sctp", TestCluster.reference().with(
            policy("sctp").in("x").select(selector("pod", "a"))
                .ingress(rule().ports(sctp(9000), anyPort(Protocol.SCTP)))
                .egress(rule().ports(range(Protocol.SCTP, 3868, 3870)))
                .build())),
        new Scenario("egress-only", TestCluster.reference().with(
            policy("egress-only").in("x").select(selector("pod", "b")).types(Direction.EGRESS)
                .egress(rule().peers(podPeer("x", selector("pod", "c"))).ports(tcp(5432)))
                .build())),
        new Scenario("ingress-and-egress", TestCluster.reference().with(
            policy("both").in("y").select(selector("pod", "a"))
                .types(Direction.INGRESS, Direction.EGRESS)
                .ingress(rule().peers(namespacePeer(selector("ns", "x"))))
                .egress(rule().peers(podPeer("y", selector("pod", "b"))).ports(tcp(80)))
                .build())),
        new Scenario("multiple-policies", TestCluster.reference().with(
            policy("web").in("x").select(selector("app", "web"))
                .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80)))
                .build(),
            policy("all-in-x").in("x")
                .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80)),
                    rule().peers(namespacePeer(selector("ns", "y"))))
                .build(),
            policy("deny").in("x").select(selector("pod", "b")).types(Direction.INGRESS)
                .build())),
        new Scenario("reject", TestCluster.reference().with(
            policy("deny-all").in("x").types(Direction.INGRESS, Direction.EGRESS).build()),
            defaults.withDenyAction(DenyAction.REJECT)),
        new Scenario("nflog", TestCluster.reference().with(
            policy("deny-all").in("x").types(Direction.INGRESS).build()),
            defaults.withDenyLog(new DataplaneSettings.DenyLog(7, 10, 20))),
        new Scenario("node-to-pod-off", TestCluster.reference().with(
            policy("from-node").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(ipBlock("192.168.0.0/24"))).build()),
            defaults.withAllowNodeToPods(false)),
        new Scenario("fail-closed", TestCluster.reference().with(
            policy("deny-all").in("x").types(Direction.INGRESS).build()),
            defaults.withFailClosed(List.of(Cidr.parse("10.0.1.0/24"),
                Cidr.parse("fd00:1::/64")))),
        new Scenario("dual-stack", TestCluster.reference().with(
            policy("web").in("x").select(selector("pod", "a"))
                .types(Direction.INGRESS, Direction.EGRESS)
                .ingress(rule().peers(podPeer("x", selector("pod", "c")), ipBlock("fd00:9::/32"),
                    ipBlock("172.16.0.0/12")).ports(tcp(443)))
                .egress(rule().peers(namespacePeer(selector("ns", "y"))))
                .build())),
        new Scenario("dispatch-tree", manyLocalPods().with(
            policy("deny-all").in("w").types(Direction.INGRESS).build())));
  }

  /** 20 pods of namespace w on node-1, enough for an inner level of the dispatch tree. */
  private static TestCluster manyLocalPods() {
    Pod[] pods = IntStream.range(0, 20)
        .mapToObj(i -> pod("p" + i).in("w").ip("10.0.3." + (i * 12 + 2)).node("node-1").build())
        .toArray(Pod[]::new);
    return TestCluster.empty().with(pods);
  }
}
