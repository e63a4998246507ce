package dev.palisade.controller;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.Direction;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster-level numbers the controller exports as gauges.
 *
 * @param policies NetworkPolicies the controller knows (valid or not)
 * @param selectedPods endpoint pods that at least one policy selects
 * @param isolatedForIngress endpoint pods that some selecting policy isolates for ingress
 * @param isolatedForEgress endpoint pods that some selecting policy isolates for egress
 * @param noticesByCode notices (lint findings and unreadable policies) per code
 */
public record ClusterStats(
    int policies,
    int selectedPods,
    int isolatedForIngress,
    int isolatedForEgress,
    ImmutableSortedMap<String, Integer> noticesByCode) {

  public static final ClusterStats EMPTY = new ClusterStats(0, 0, 0, 0, ImmutableSortedMap.of());

  /** Counts over a graph; one pass over the pods, each asking the graph's reverse index. */
  public static ClusterStats of(RuleGraph graph, int policies, Collection<PolicyNotice> notices) {
    int selected = 0;
    int ingress = 0;
    int egress = 0;
    for (Pod pod : graph.pods()) {
      if (!pod.isEndpoint() || graph.policiesSelecting(pod.ref()).isEmpty()) {
        continue;
      }
      selected++;
      ingress += graph.isIsolated(pod.ref(), Direction.INGRESS) ? 1 : 0;
      egress += graph.isIsolated(pod.ref(), Direction.EGRESS) ? 1 : 0;
    }
    Map<String, Integer> byCode = new TreeMap<>();
    notices.forEach(notice -> byCode.merge(notice.code(), 1, Integer::sum));
    return new ClusterStats(policies, selected, ingress, egress,
        ImmutableSortedMap.copyOf(byCode));
  }

  /** How many notices carry a code now; 0 for a code seen earlier and fixed since. */
  public int notices(String code) {
    return noticesByCode.getOrDefault(code, 0);
  }
}
