package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import dev.palisade.model.Direction;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.PodPhase;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Protocol;
import dev.palisade.model.Rule;
import dev.palisade.model.RuleGraph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The events the scale benchmark writes, chosen so that each one changes what the measured node
 * enforces (an event that changes nothing would measure only the agent's no-op path):
 *
 * <ul>
 *   <li>event pods: a new pod beside an existing pod that a peer selector of a policy selecting
 *       a local pod holds (same namespace, labels and ports), so that when it gets its IP it
 *       joins that peer's set, when it is relabelled ({@link #RELABELLED}) it leaves it, and when
 *       it is deleted it leaves every set;
 *   <li>event policies: copies of policies that select local pods, so that adding one creates a
 *       chain the local pods jump to, updating it ({@link #updated}) rewrites that chain, and
 *       deleting it removes both.
 * </ul>
 *
 * Pure: the plan is computed from the synthetic cluster's model.
 */
final class EventPlan {
  /** Labels that no peer selector holding the template pods matches (checked per template). */
  static final ImmutableSortedMap<String, String> RELABELLED =
      ImmutableSortedMap.of("palisade-bench", "relabelled");
  /** Event pods take host numbers from here up; the generator fills .2 to .111 of a node. */
  private static final int FIRST_EVENT_HOST = 150;
  private static final int LAST_HOST = 254;

  private final ImmutableList<Pod> templatePods;
  private final ImmutableList<Policy> templatePolicies;
  private final int nodes;

  private EventPlan(List<Pod> templatePods, List<Policy> templatePolicies, int nodes) {
    this.templatePods = ImmutableList.copyOf(templatePods);
    this.templatePolicies = ImmutableList.copyOf(templatePolicies);
    this.nodes = nodes;
  }

  static EventPlan forNode(SyntheticCluster cluster, String node) {
    RuleGraph graph = cluster.toGraph();
    Set<Policy> localPolicies = new LinkedHashSet<>();
    for (Pod local : graph.endpointsOnNode(node)) {
      localPolicies.addAll(graph.policiesSelecting(local.ref()));
    }
    Set<ObjectRef> templates = new TreeSet<>();
    for (Policy policy : localPolicies) {
      for (Direction direction : Direction.values()) {
        for (Rule rule : policy.rules(direction)) {
          rule.peers().stream()
              .filter(peer -> peer instanceof PeerSelector selector
                  && !selector.pods().matches(RELABELLED))
              .forEach(peer -> templates.addAll(graph.members((PeerSelector) peer)));
        }
      }
    }
    List<Pod> templatePods = templates.stream().map(ref -> graph.pod(ref).orElseThrow())
        .toList();
    List<Policy> templatePolicies = localPolicies.stream()
        .sorted(Comparator.comparing(Policy::ref)).toList();
    if (templatePods.isEmpty() || templatePolicies.isEmpty()) {
      throw new IllegalArgumentException("no policy with peers selects a pod on " + node
          + ": the cluster is too small to measure events there");
    }
    return new EventPlan(templatePods, templatePolicies, cluster.size().nodes());
  }

  /**
   * Event pod {@code i} as a kubelet first writes it: scheduled, no address yet (Pending).
   * Event pods are dealt to the nodes round-robin, with addresses no generated pod uses.
   */
  Pod pendingPod(int i) {
    Pod template = templatePods.get(i % templatePods.size());
    int node = i % nodes;
    return new Pod(ObjectRef.of(template.ref().namespace(), "palisade-bench-pod-" + i),
        template.labels(), ImmutableList.of(), PodGenerator.nodeName(node), template.ports(),
        PodPhase.PENDING, false);
  }

  /** Event pod {@code i} once it runs: its address from its node's pod CIDR. */
  Pod runningPod(int i) {
    int host = FIRST_EVENT_HOST + i / nodes;
    if (host > LAST_HOST) {
      throw new IllegalArgumentException("at most " + (LAST_HOST - FIRST_EVENT_HOST + 1) * nodes
          + " event pods fit on " + nodes + " nodes, not " + (i + 1));
    }
    Pod pending = pendingPod(i);
    int network = InetAddresses.coerceToInteger(PodGenerator.podCidr(i % nodes).address());
    return new Pod(pending.ref(), pending.labels(),
        ImmutableList.of(InetAddresses.fromInteger(network + host)), pending.nodeName(),
        pending.ports(), PodPhase.RUNNING, false);
  }

  /** Event policy {@code i} as added: a copy of a policy that selects local pods. */
  Policy policy(int i) {
    Policy template = templatePolicies.get(i % templatePolicies.size());
    return new Policy(ObjectRef.of(template.ref().namespace(), "palisade-bench-policy-" + i),
        template.podSelector(), template.policyTypes(), template.ingress(), template.egress());
  }

  /**
   * Event policy {@code i}, update number {@code generation} (1, 2, ...): one more rule in a
   * direction it isolates, so its chain on the node changes with every generation.
   */
  Policy updated(int i, int generation) {
    Policy added = policy(i);
    Rule extra = new Rule(ImmutableList.of(PeerSelector.inNamespace(added.ref().namespace(),
        LabelSelector.of(Map.of("palisade-bench-peer", Integer.toString(generation))))),
        ImmutableList.of(PortMatcher.PortRange.single(Protocol.TCP,
            1024 + (generation * 7919 + i) % 60000)));
    boolean ingress = added.isolates(Direction.INGRESS);
    List<Rule> rules = new ArrayList<>(ingress ? added.ingress() : added.egress());
    rules.add(extra);
    return new Policy(added.ref(), added.podSelector(), added.policyTypes(),
        ingress ? ImmutableList.copyOf(rules) : added.ingress(),
        ingress ? added.egress() : ImmutableList.copyOf(rules));
  }
}
