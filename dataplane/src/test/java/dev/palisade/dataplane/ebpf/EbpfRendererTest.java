package dev.palisade.dataplane.ebpf;

import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static dev.palisade.model.testing.Builders.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.plan.NodePlanner;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import org.junit.jupiter.api.Test;

/**
 * What the renderer decides beyond the verdicts' pass or drop (EbpfAgreesWithEvaluatorTest):
 * counter slots and the node traffic flag.
 */
class EbpfRendererTest {
  private static final String NODE = "node-1";
  private static final ObjectRef XB = ObjectRef.of("x", "b");
  private static final ObjectRef B_FROM_A = ObjectRef.of("x", "b-from-a");

  /** x/a, x/b and x/c on the node; x/b admits x/a on 80, x/c is isolated by nothing. */
  private static RuleGraph graph() {
    RuleGraph graph = new RuleGraph();
    graph.upsertNamespace(namespace("x", "ns", "x"));
    graph.upsertPod(pod("a").in("x").labels("pod", "a").node(NODE).ip("10.1.0.1").build());
    graph.upsertPod(pod("b").in("x").labels("pod", "b").node(NODE).ip("10.1.0.2").build());
    graph.upsertPod(pod("c").in("x").labels("pod", "c").node(NODE).ip("10.1.0.3").build());
    graph.upsertPolicy(policy("b-from-a").in("x").select(selector("pod", "b"))
        .ingress(rule().peers(podPeer("x", selector("pod", "a"))).ports(tcp(80))).build());
    return graph;
  }

  @Test
  void eachIsolatedDirectionHasADeniedSlotAndEachAllowingPolicyOne() {
    EbpfPlan plan = new EbpfRenderer(new IdentityTable.Interner())
        .render(NodePlanner.plan(graph(), NODE));

    CounterOwner bDenied = new CounterOwner.Denied(XB, Direction.INGRESS);
    CounterOwner bFromA = new CounterOwner.Allowed(B_FROM_A);
    assertThat(plan.counters()).containsOnly(entry(1, bDenied), entry(2, bFromA));
    assertThat(plan.endpoints().get(XB).deniedSlot(Direction.INGRESS)).isEqualTo(1);
    assertThat(plan.endpoints().get(XB).deniedSlot(Direction.EGRESS)).isZero();
    assertThat(plan.endpoints().get(ObjectRef.of("x", "a")).deniedSlot(Direction.INGRESS))
        .isZero();
    assertThat(plan.verdicts()).isNotEmpty();
    assertThat(plan.verdicts().values()).containsOnly(2);
  }

  /**
   * x/b admits x/a on everything (a-anything) and on TCP 80 (allow-a-80), x/c on TCP 80-81
   * (c-8x) and on TCP 80 (b-c-80, after c-8x by name): a verdict counts for the first policy by
   * name of those whose verdicts match its packets, the wider verdicts' included.
   */
  @Test
  void aVerdictCountsForTheFirstPolicyByNameWiderVerdictsIncluded() {
    RuleGraph graph = graph();
    graph.upsertPolicy(policy("a-anything").in("x").select(selector("pod", "b"))
        .ingress(rule().peers(podPeer("x", selector("pod", "a")))).build());
    graph.upsertPolicy(policy("allow-a-80").in("x").select(selector("pod", "b"))
        .ingress(rule().peers(podPeer("x", selector("pod", "a"))).ports(tcp(80))).build());
    graph.upsertPolicy(policy("b-c-80").in("x").select(selector("pod", "b"))
        .ingress(rule().peers(podPeer("x", selector("pod", "c"))).ports(tcp(80))).build());
    graph.upsertPolicy(policy("c-8x").in("x").select(selector("pod", "b"))
        .ingress(rule().peers(podPeer("x", selector("pod", "c")))
            .ports(range(Protocol.TCP, 80, 81))).build());
    EbpfPlan plan = new EbpfRenderer(new IdentityTable.Interner())
        .render(NodePlanner.plan(graph, NODE));

    assertThat(countedFor(plan, "10.1.0.1", Traffic.port(Protocol.TCP, 80)))
        .as("allow-a-80's own verdict, inside a-anything's")
        .isEqualTo(new CounterOwner.Allowed(ObjectRef.of("x", "a-anything")));
    assertThat(countedFor(plan, "10.1.0.3", Traffic.port(Protocol.TCP, 80)))
        .as("b-c-80's verdict, c-8x's block of 80 and 81 wider, b-c-80 first")
        .isEqualTo(new CounterOwner.Allowed(ObjectRef.of("x", "b-c-80")));
    assertThat(plan.counters().values()).as("every allowing policy is counted, if only zero")
        .contains(new CounterOwner.Allowed(ObjectRef.of("x", "allow-a-80")),
            new CounterOwner.Allowed(ObjectRef.of("x", "c-8x")));
  }

  /** The owner of the slot of x/b's ingress verdict for the remote's identity and traffic. */
  private static CounterOwner countedFor(EbpfPlan plan, String remote, Traffic traffic) {
    int identity = plan.identities().identityOf(InetAddresses.forString(remote));
    return plan.counters().get(plan.verdicts().get(new VerdictKey(plan.endpoints().get(XB).id(),
        identity, Direction.INGRESS, traffic)));
  }

  @Test
  void slotsStayWithTheirOwnersAndAFreedOneIsNotGivenAgainAtOnce() {
    EbpfRenderer renderer = new EbpfRenderer(new IdentityTable.Interner());
    RuleGraph graph = graph();
    EbpfPlan first = renderer.render(NodePlanner.plan(graph, NODE));
    graph.deletePolicy(B_FROM_A);
    graph.upsertPolicy(policy("b-from-c").in("x").select(selector("pod", "b"))
        .ingress(rule().peers(podPeer("x", selector("pod", "c")))).build());
    EbpfPlan second = renderer.render(NodePlanner.plan(graph, NODE));

    assertThat(second.counters()).containsOnly(
        entry(1, new CounterOwner.Denied(XB, Direction.INGRESS)),
        entry(3, new CounterOwner.Allowed(ObjectRef.of("x", "b-from-c"))));
    assertThat(first.counters().get(2)).isEqualTo(new CounterOwner.Allowed(B_FROM_A));
  }

  @Test
  void everyEndpointCarriesTheNodeTrafficSetting() {
    for (boolean allowNodeToPods : new boolean[] {true, false}) {
      EbpfPlan plan = new EbpfRenderer(new IdentityTable.Interner(),
          DataplaneSettings.DEFAULTS.withAllowNodeToPods(allowNodeToPods))
          .render(NodePlanner.plan(graph(), NODE));

      assertThat(plan.endpoints()).hasSize(3);
      assertThat(plan.endpoints().values()).allMatch(endpoint ->
          endpoint.nodeTrafficAllowed() == allowNodeToPods);
    }
    assertThat(new EbpfRenderer(new IdentityTable.Interner())
        .render(NodePlanner.plan(graph(), NODE)).endpoints().values())
        .as("the default settings allow the node's traffic")
        .allMatch(EbpfEndpoint::nodeTrafficAllowed);
  }
}
