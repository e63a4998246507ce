package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.model.Direction;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.Rule;
import dev.palisade.model.RuleGraph;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every planned event changes what the measured node enforces. */
class EventPlanTest {
  private static final String NODE = "node-000";
  private static final SyntheticCluster CLUSTER =
      SyntheticCluster.generate(ClusterSize.of(20, 1_000, 200), 42);
  private static final EventPlan PLAN = EventPlan.forNode(CLUSTER, NODE);
  private static final int EVENTS = 40;

  @Test
  void eachPodEventChangesAPeerSetOfAPolicyThatSelectsALocalPod() {
    RuleGraph graph = CLUSTER.toGraph();
    Set<PeerSelector> nodePeers = peersOfLocalPolicies(graph);
    for (int i = 0; i < EVENTS; i++) {
      Pod running = PLAN.runningPod(i);
      assertThat(graph.upsertPod(PLAN.pendingPod(i)).selectors()).as("pending %s", i)
          .doesNotContainAnyElementsOf(nodePeers);
      assertThat(graph.upsertPod(running).selectors()).as("gets its IP %s", i)
          .containsAnyElementsOf(nodePeers);
      assertThat(graph.upsertPod(running.withLabels(EventPlan.RELABELLED)).selectors())
          .as("relabelled %s", i).containsAnyElementsOf(nodePeers);
      graph.upsertPod(running);
      assertThat(graph.deletePod(running.ref()).selectors()).as("deleted %s", i)
          .containsAnyElementsOf(nodePeers);
    }
  }

  @Test
  void eventPodsTakeAddressesNoOtherPodHas() {
    RuleGraph graph = CLUSTER.toGraph();
    for (int i = 0; i < 500; i++) {
      Pod running = PLAN.runningPod(i);
      assertThat(graph.endpointByIp(running.ips().get(0))).as("address of %s", i).isEmpty();
      graph.upsertPod(running);
    }
    assertThatThrownBy(() -> PLAN.runningPod(105 * CLUSTER.size().nodes()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event pods fit");
  }

  @Test
  void eachPolicyEventChangesThePoliciesOfALocalPod() {
    RuleGraph graph = CLUSTER.toGraph();
    for (int i = 0; i < EVENTS; i++) {
      Policy added = PLAN.policy(i);
      graph.upsertPolicy(added);
      assertThat(graph.endpointsOnNode(NODE)).as("policy %s selects a local pod", i)
          .anySatisfy(pod -> assertThat(graph.policiesSelecting(pod.ref())).contains(added));
      assertThat(PLAN.updated(i, 1)).isNotEqualTo(added).isNotEqualTo(PLAN.updated(i, 2));
      Policy updated = PLAN.updated(i, 1);
      assertThat(updated.rules(Direction.INGRESS).size() + updated.rules(Direction.EGRESS)
          .size()).as("the update adds a rule the policy enforces")
          .isEqualTo(added.rules(Direction.INGRESS).size()
              + added.rules(Direction.EGRESS).size() + 1);
    }
  }

  private static Set<PeerSelector> peersOfLocalPolicies(RuleGraph graph) {
    Set<PeerSelector> peers = new HashSet<>();
    for (Pod local : graph.endpointsOnNode(NODE)) {
      for (Policy policy : graph.policiesSelecting(local.ref())) {
        for (Direction direction : Direction.values()) {
          for (Rule rule : policy.rules(direction)) {
            rule.peers().stream().filter(PeerSelector.class::isInstance)
                .map(PeerSelector.class::cast).forEach(peers::add);
          }
        }
      }
    }
    return peers;
  }
}
