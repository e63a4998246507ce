package dev.palisade.bench;

import dev.palisade.model.RuleGraph;

/**
 * The order in which a cluster's objects reach a graph. An agent that starts sees its three
 * informers' initial lists in no fixed order, so building the graph is measured both ways.
 */
public enum FeedOrder {
  /** Namespaces, pods, then policies: each new selector is matched against the pods once. */
  NAMESPACES_PODS_POLICIES,
  /** Namespaces, policies, then pods: each new pod is tested against every selector. */
  POLICIES_FIRST;

  public RuleGraph feed(SyntheticCluster cluster, RuleGraph graph) {
    cluster.namespaces().forEach(graph::upsertNamespace);
    if (this == POLICIES_FIRST) {
      cluster.policies().forEach(graph::upsertPolicy);
    }
    cluster.pods().forEach(graph::upsertPod);
    if (this == NAMESPACES_PODS_POLICIES) {
      cluster.policies().forEach(graph::upsertPolicy);
    }
    return graph;
  }
}
