package dev.palisade.dataplane.plan;

import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.peer;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Members are reused while their pods keep their addresses, and forgotten with the pods. */
class HostMembersTest {
  private static final String NODE = "node-1";

  @Test
  void aPodKeepsItsMemberWhileItKeepsItsAddress() {
    HostMembers hosts = new HostMembers();
    Pod db = pod("db").in("x").ip("10.0.2.10", "fd00::2:10").build();

    Member.Host first = hosts.of(db, IpFamily.V4);
    Member.Host relabelled = hosts.of(pod("db").in("x").labels("app", "db")
        .ip("10.0.2.10", "fd00::2:10").build(), IpFamily.V4);
    Member.Host moved = hosts.of(pod("db").in("x").ip("10.0.2.99").build(), IpFamily.V4);

    assertThat(relabelled).isSameAs(first);
    assertThat(moved).isNotSameAs(first)
        .isEqualTo(new Member.Host(pod("db").in("x").ip("10.0.2.99").build().ip(IpFamily.V4)
            .orElseThrow()));
    assertThat(hosts.of(db, IpFamily.V6).address()).isEqualTo(db.ip(IpFamily.V6).orElseThrow());
  }

  /** The planner's refresh of a touched class reuses the members of the pods that stayed. */
  @Test
  void aRefreshedClassHoldsTheSameMemberObjectsForPodsThatStayedAndForgetsDeletedPods() {
    RuleGraph graph = new RuleGraph();
    GraphDelta setup = GraphDelta.union(List.of(webAndTwoDbs(graph),
        graph.upsertPolicy(policy("web").in("x").select(selector("app", "web"))
            .ingress(rule().peers(podPeer("x", selector("app", "db")))).build())));
    IncrementalNodePlanner planner = new IncrementalNodePlanner(NODE);
    Member before = members(planner.plan(graph, setup)).stream()
        .filter(member -> member.equals(host("10.0.2.10"))).findFirst().orElseThrow();

    GraphDelta deleted = graph.deletePod(ObjectRef.of("x", "db-2"));
    List<Member> after = members(planner.plan(graph, deleted));

    assertThat(after).containsExactly(host("10.0.2.10"));
    assertThat(after.get(0)).isSameAs(before);
    assertThat(planner.hostMembersKept()).as("db-1's member only; web is no peer").isEqualTo(1);
  }

  /**
   * A touched selector's members are patched at the addresses of the pods whose memberships
   * changed, each decided again: a pod that leaves takes its address out unless another member
   * pod claims it too (the events of an address's reuse arriving out of order), one that moves
   * takes its old address out and its new one in, and a namespace's relabel decides its pods'
   * addresses; every plan equals a plan from scratch.
   */
  @Test
  void aPatchedClassDecidesTheChangedMembersAddressesAgainAndEqualsAPlanFromScratch() {
    RuleGraph graph = new RuleGraph();
    GraphDelta setup = GraphDelta.union(List.of(
        graph.upsertNamespace(namespace("x", "team", "a")),
        graph.upsertNamespace(namespace("y", "team", "b")),
        webAndTwoDbs(graph),
        graph.upsertPod(pod("db-9").in("y").labels("app", "db").ip("10.0.2.19").node("node-2")
            .build()),
        graph.upsertPolicy(policy("web").in("x").select(selector("app", "web"))
            .ingress(rule().peers(podPeer("x", selector("app", "db")),
                peer(selector("team", "a"), selector("app", "db")))).build())));
    IncrementalNodePlanner planner = new IncrementalNodePlanner(NODE);
    planner.plan(graph, setup);

    // db-3 claims db-1's address before db-1's deletion is seen; then db-1 goes
    NodePlan reused = planner.plan(graph, graph.upsertPod(pod("db-3").in("x")
        .labels("app", "db").ip("10.0.2.10").node("node-2").build()));
    assertThat(reused).isEqualTo(NodePlanner.plan(graph, NODE));
    NodePlan gone = planner.plan(graph, graph.deletePod(ObjectRef.of("x", "db-1")));
    assertThat(members(gone)).as("db-3 still claims it").contains(host("10.0.2.10"));
    assertThat(gone).isEqualTo(NodePlanner.plan(graph, NODE));

    NodePlan moved = planner.plan(graph, graph.upsertPod(pod("db-2").in("x")
        .labels("app", "db").ip("10.0.2.12").node("node-2").build()));
    assertThat(members(moved)).contains(host("10.0.2.12")).doesNotContain(host("10.0.2.11"));
    assertThat(moved).isEqualTo(NodePlanner.plan(graph, NODE));

    NodePlan relabelled = planner.plan(graph, graph.upsertNamespace(namespace("y", "team",
        "a")));
    assertThat(members(relabelled)).contains(host("10.0.2.19"));
    assertThat(relabelled).isEqualTo(NodePlanner.plan(graph, NODE));

    NodePlan left = planner.plan(graph, graph.upsertPod(pod("db-3").in("x")
        .labels("app", "cache").ip("10.0.2.10").node("node-2").build()));
    assertThat(members(left)).doesNotContain(host("10.0.2.10"));
    assertThat(left).isEqualTo(NodePlanner.plan(graph, NODE));
  }

  /** x/web on the node, x/db-1 and x/db-2 elsewhere. */
  private static GraphDelta webAndTwoDbs(RuleGraph graph) {
    return GraphDelta.union(List.of(
        graph.upsertPod(pod("web").in("x").labels("app", "web").ip("10.0.1.10").node(NODE)
            .build()),
        graph.upsertPod(pod("db-1").in("x").labels("app", "db").ip("10.0.2.10").node("node-2")
            .build()),
        graph.upsertPod(pod("db-2").in("x").labels("app", "db").ip("10.0.2.11").node("node-2")
            .build())));
  }

  private static List<Member> members(NodePlan plan) {
    return plan.v4().members().values().stream().flatMap(set -> set.stream())
        .filter(member -> member instanceof Member.Host).toList();
  }

  private static Member host(String address) {
    return new Member.Host(pod("any").ip(address).build().ip(IpFamily.V4).orElseThrow());
  }
}
