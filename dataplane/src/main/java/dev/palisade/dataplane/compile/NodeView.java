package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableMap;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * A node's share of the rule graph, read once and shared by both families: its endpoint pods,
 * the policies that select each of them, and for each such policy the local pods it selects.
 */
record NodeView(
    ImmutableList<Pod> localPods,
    ImmutableMap<ObjectRef, ImmutableList<Policy>> policiesByPod,
    ImmutableListMultimap<ObjectRef, Pod> localPodsByPolicy) {

  static NodeView of(RuleGraph graph, String nodeName) {
    List<Pod> local = graph.endpointsOnNode(nodeName);
    TreeMap<ObjectRef, ImmutableList<Policy>> policiesByPod = new TreeMap<>();
    ImmutableListMultimap.Builder<ObjectRef, Pod> podsByPolicy = ImmutableListMultimap.builder();
    for (Pod pod : local) {
      List<Policy> policies = graph.policiesSelecting(pod.ref());
      policiesByPod.put(pod.ref(), ImmutableList.copyOf(policies));
      policies.forEach(policy -> podsByPolicy.put(policy.ref(), pod));
    }
    return new NodeView(ImmutableList.sortedCopyOf(Comparator.comparing(Pod::ref), local),
        ImmutableMap.copyOf(policiesByPod), podsByPolicy.build());
  }
}
