package dev.palisade.dataplane.plan;

import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.named;
import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.range;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpBlock;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.PodPhase;
import dev.palisade.model.PortMatcher.NamedPort;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The node plan says, per family and in backend-neutral terms, which of the node's pods are
 * isolated by which policies, what each policy allows, and who belongs to each peer class; and
 * a later plan reuses the members the graph's changes did not touch.
 */
class NodePlannerTest {
  private static final String NODE = "node-1";
  private static final ObjectRef WEB_POLICY = ObjectRef.of("x", "web");
  private static final ObjectRef EGRESS_POLICY = ObjectRef.of("x", "out");
  private static final PeerSelector DB = (PeerSelector) podPeer("x", selector("app", "db"));
  private static final IpBlock BLOCK = (IpBlock) ipBlock("10.9.0.0/16", "10.9.1.0/24");

  private final RuleGraph graph = new RuleGraph();
  private final GraphDelta setup = GraphDelta.union(List.of(
      graph.upsertNamespace(namespace("x", "ns", "x")),
      graph.upsertPod(pod("web").in("x").labels("app", "web").ip("10.0.1.10", "fd00::10")
          .node(NODE).port("http", 8080, Protocol.TCP).build()),
      graph.upsertPod(pod("db").in("x").labels("app", "db").ip("10.0.2.10")
          .node("node-2").port("sql", 5432, Protocol.TCP).build()),
      graph.upsertPod(pod("open").in("x").labels("app", "open").ip("10.0.1.11")
          .node(NODE).build()),
      graph.upsertPolicy(policy("web").in("x").select(selector("app", "web"))
          .ingress(rule().peers(DB, BLOCK, ipBlock("fd00:9::/64"))
              .ports(named(Protocol.TCP, "http"), range(Protocol.UDP, 53, 54)))
          .build()),
      graph.upsertPolicy(policy("out").in("x").select(selector("app", "web"))
          .types(Direction.EGRESS)
          .egress(rule().peers(DB).ports(named(Protocol.TCP, "sql"))).build())));

  @Test
  void endpointsCarryThePoliciesThatIsolateThemPerDirection() {
    FamilyPlan v4 = NodePlanner.plan(graph, NODE).v4();

    assertThat(v4.endpoints()).extracting(Endpoint::ref)
        .containsExactly(ObjectRef.of("x", "open"), ObjectRef.of("x", "web"));
    Endpoint web = v4.endpoints().get(1);
    assertThat(web.isolatedBy(Direction.INGRESS)).containsExactly(WEB_POLICY);
    assertThat(web.isolatedBy(Direction.EGRESS)).containsExactly(EGRESS_POLICY);
    assertThat(v4.endpoints().get(0).isolated(Direction.INGRESS)).isFalse();
    assertThat(NodePlanner.plan(graph, NODE).v6().endpoints()).extracting(Endpoint::ref)
        .as("only pods with an address in the family").containsExactly(ObjectRef.of("x", "web"));
  }

  @Test
  void rulesArePeerPortPairsWithClassesOfThisFamily() {
    FamilyPlan v4 = NodePlanner.plan(graph, NODE).v4();

    PeerClass ingressHttp = new PeerClass.IngressNamedPort(WEB_POLICY,
        new NamedPort(Protocol.TCP, "http"));
    assertThat(v4.rules(WEB_POLICY, Direction.INGRESS)).as("the v6 ipBlock is left out")
        .containsExactly(
            allow(new PeerClass.Selected(DB), new PortMatch.Named(ingressHttp)),
            allow(new PeerClass.Selected(DB), new PortMatch.Ports(Protocol.UDP, 53, 54)),
            allow(new PeerClass.Block(BLOCK), new PortMatch.Named(ingressHttp)),
            allow(new PeerClass.Block(BLOCK), new PortMatch.Ports(Protocol.UDP, 53, 54)));
    assertThat(v4.members(ingressHttp)).as("resolved on the selected pods of the node")
        .containsExactly(new Member.HostPort(address("10.0.1.10"), Protocol.TCP, 8080));
    assertThat(v4.members(new PeerClass.Block(BLOCK))).containsExactly(
        new Member.Range(Cidr.parse("10.9.0.0/16"), false),
        new Member.Range(Cidr.parse("10.9.1.0/24"), true));

    PeerClass egressSql = new PeerClass.EgressNamedPort(Optional.of(DB),
        new NamedPort(Protocol.TCP, "sql"));
    assertThat(v4.rules(EGRESS_POLICY, Direction.EGRESS))
        .as("an egress named port resolves on the peer's pods and stands for the peer")
        .containsExactly(new AllowRule(Optional.empty(),
            Optional.of(new PortMatch.Named(egressSql))));
    assertThat(v4.members(egressSql))
        .containsExactly(new Member.HostPort(address("10.0.2.10"), Protocol.TCP, 5432));
  }

  @Test
  void untouchedMembersAreTheSameObjectsAndTouchedOnesAreRecomputed() {
    NodePlan before = NodePlanner.plan(graph, NODE, null, setup);
    ImmutableSet<Member> blockBefore = before.v4().members(new PeerClass.Block(BLOCK));
    ImmutableSet<Member> dbBefore = before.v4().members(new PeerClass.Selected(DB));

    GraphDelta remotePod = graph.upsertPod(pod("db2").in("x").labels("app", "db")
        .ip("10.0.2.11").node("node-2").build());
    NodePlan refreshed = NodePlanner.refresh(graph, before, remotePod);
    NodePlan replanned = NodePlanner.plan(graph, NODE, before, remotePod);

    for (NodePlan after : List.of(refreshed, replanned)) {
      assertThat(after.v4().members(new PeerClass.Block(BLOCK))).isSameAs(blockBefore);
      assertThat(after.v4().members(new PeerClass.Selected(DB))).isNotSameAs(dbBefore)
          .containsExactlyInAnyOrder(new Member.Host(address("10.0.2.10")),
              new Member.Host(address("10.0.2.11")));
      assertThat(after).isEqualTo(NodePlanner.plan(graph, NODE));
    }
    assertThat(refreshed.v4().rules()).isSameAs(before.v4().rules());
  }

  /**
   * A pod of the node that unchanged policies select: their rules and the other endpoints are
   * the previous plan's objects (a backend renders them again only if they are new), and the
   * ingress named port's members follow the new pod.
   */
  @Test
  void aLocalPodChangeKeepsTheRulesOfUnchangedPoliciesAndTheOtherEndpoints() {
    NodePlan before = NodePlanner.plan(graph, NODE, null, setup);

    GraphDelta localPod = graph.upsertPod(pod("web2").in("x").labels("app", "web")
        .ip("10.0.1.12").node(NODE).port("http", 8081, Protocol.TCP).build());
    NodePlan after = NodePlanner.plan(graph, NODE, before, localPod);

    assertThat(after).isEqualTo(NodePlanner.plan(graph, NODE));
    before.v4().rules().forEach((key, rules) ->
        assertThat(after.v4().rules().get(key)).as("%s", key).isSameAs(rules));
    assertThat(after.v4().endpoints()).hasSize(3);
    assertThat(after.v4().endpoints()).filteredOn(endpoint -> !endpoint.ref().name().equals("web2"))
        .allSatisfy(endpoint -> assertThat(before.v4().endpoints()).anyMatch(e -> e == endpoint));
    assertThat(after.v4().members(new PeerClass.IngressNamedPort(WEB_POLICY,
        (NamedPort) named(Protocol.TCP, "http"))))
        .containsExactlyInAnyOrder(
            new Member.HostPort(address("10.0.1.10"), Protocol.TCP, 8080),
            new Member.HostPort(address("10.0.1.12"), Protocol.TCP, 8081));

    GraphDelta changedPolicy = graph.upsertPolicy(policy("web").in("x")
        .select(selector("app", "web")).ingress(rule().peers(DB)).build());
    NodePlan replanned = NodePlanner.plan(graph, NODE, after, changedPolicy);

    assertThat(replanned).isEqualTo(NodePlanner.plan(graph, NODE));
    assertThat(replanned.v4().rules(WEB_POLICY, Direction.INGRESS))
        .isNotSameAs(after.v4().rules(WEB_POLICY, Direction.INGRESS));
    assertThat(replanned.v4().rules(EGRESS_POLICY, Direction.EGRESS))
        .isSameAs(after.v4().rules(EGRESS_POLICY, Direction.EGRESS));
  }

  /**
   * A pod scheduled on the node and waiting for its address: the rules of the policies that
   * will select it are planned before it has one, in the families the node's endpoints use, and
   * its address's event keeps them (the same objects), so a backend finds its policies in place.
   * Scheduled elsewhere, deleted or relabelled while waiting, it takes them back out.
   */
  @Test
  void thePoliciesOfAPodWaitingForItsAddressArePlannedBeforeItComes() {
    ObjectRef cachePolicy = ObjectRef.of("x", "cache");
    IncrementalNodePlanner planner = new IncrementalNodePlanner(NODE);
    planner.plan(graph, GraphDelta.union(List.of(setup, graph.upsertPolicy(policy("cache")
        .in("x").select(selector("app", "cache")).ingress(rule().peers(DB).ports(tcp(6379)))
        .build()))));
    FamilyPlan.PolicyDirection cacheIngress =
        new FamilyPlan.PolicyDirection(cachePolicy, Direction.INGRESS);
    var waiting = pod("cache").in("x").labels("app", "cache").phase(PodPhase.PENDING);

    NodePlan scheduled = planner.plan(graph, graph.upsertPod(waiting.node(NODE).build()));
    assertThat(scheduled).isEqualTo(NodePlanner.plan(graph, NODE));
    assertThat(scheduled.v4().rules(cachePolicy, Direction.INGRESS)).containsExactly(
        allow(new PeerClass.Selected(DB), new PortMatch.Ports(Protocol.TCP, 6379, 6379)));
    assertThat(scheduled.v6().rules()).as("the node has an IPv6 endpoint")
        .containsKey(cacheIngress);
    assertThat(scheduled.v4().endpoints()).extracting(Endpoint::ref)
        .doesNotContain(ObjectRef.of("x", "cache"));

    NodePlan elsewhere = planner.plan(graph, graph.upsertPod(waiting.node("node-2").build()));
    assertThat(elsewhere.v4().rules()).doesNotContainKey(cacheIngress);
    assertThat(elsewhere).isEqualTo(NodePlanner.plan(graph, NODE));
    planner.plan(graph, graph.upsertPod(waiting.node(NODE).build()));
    NodePlan relabelled = planner.plan(graph,
        graph.upsertPod(waiting.node(NODE).labels("app", "other").build()));
    assertThat(relabelled.v4().rules()).doesNotContainKey(cacheIngress);
    planner.plan(graph, graph.upsertPod(waiting.labels("app", "cache").build()));
    NodePlan deleted = planner.plan(graph, graph.deletePod(ObjectRef.of("x", "cache")));
    assertThat(deleted.v4().rules()).doesNotContainKey(cacheIngress);
    NodePlan again = planner.plan(graph, graph.upsertPod(waiting.build()));

    NodePlan addressed = planner.plan(graph, graph.upsertPod(pod("cache").in("x")
        .labels("app", "cache").ip("10.0.1.13").node(NODE).build()));
    assertThat(addressed).isEqualTo(NodePlanner.plan(graph, NODE));
    assertThat(addressed.v4().rules()).as("its policies were in place").isSameAs(
        again.v4().rules());
    assertThat(addressed.v4().endpoints()).filteredOn(endpoint -> endpoint.ref().name()
        .equals("cache")).singleElement().satisfies(endpoint ->
            assertThat(endpoint.isolatedBy(Direction.INGRESS)).containsExactly(cachePolicy));
  }

  /** The node's first pod has no family to prepare in: nothing is planned for it. */
  @Test
  void aNodeWithoutEndpointsPreparesNothing() {
    graph.upsertPod(pod("waiting").in("x").labels("app", "web").node("node-3")
        .phase(PodPhase.PENDING).build());

    assertThat(NodePlanner.plan(graph, "node-3").v4().rules()).isEmpty();
    assertThat(NodePlanner.plan(graph, "node-3").v6().rules()).isEmpty();
  }

  private static AllowRule allow(PeerClass peer, PortMatch port) {
    return new AllowRule(Optional.of(peer), Optional.of(port));
  }

  private static java.net.InetAddress address(String text) {
    return InetAddresses.forString(text);
  }
}
