package dev.palisade.dataplane.plan;

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
    GraphDelta setup = GraphDelta.union(List.of(
        graph.upsertPod(pod("web").in("x").labels("app", "web").ip("10.0.1.10").node(NODE)
            .build()),
        graph.upsertPod(pod("db-1").in("x").labels("app", "db").ip("10.0.2.10").node("node-2")
            .build()),
        graph.upsertPod(pod("db-2").in("x").labels("app", "db").ip("10.0.2.11").node("node-2")
            .build()),
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

  private static List<Member> members(NodePlan plan) {
    return plan.v4().members().values().stream().flatMap(set -> set.stream())
        .filter(member -> member instanceof Member.Host).toList();
  }

  private static Member host(String address) {
    return new Member.Host(pod("any").ip(address).build().ip(IpFamily.V4).orElseThrow());
  }
}
