package dev.palisade.dataplane.ebpf;

import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.plan.NodePlanner;
import dev.palisade.model.RuleGraph;
import org.junit.jupiter.api.Test;

/** What the renderer decides beyond the verdicts (those: EbpfAgreesWithEvaluatorTest). */
class EbpfRendererTest {
  private static final String NODE = "node-1";

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
  void everyEndpointCarriesTheNodeTrafficSetting() {
    for (boolean allowNodeToPods : new boolean[] {true, false}) {
      EbpfPlan plan = new EbpfRenderer(new IdentityTable.Interner(), allowNodeToPods)
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
