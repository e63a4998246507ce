package dev.palisade.bench;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How big a synthetic cluster is. Two of the namespaces are the system namespaces that every
 * cluster has ({@link ClusterLayout#DNS_NAMESPACE}, {@link ClusterLayout#MONITORING_NAMESPACE});
 * the others hold tenant workloads. Every node gets a /24 pod CIDR, so it holds at most 253
 * pods; {@link #of} picks the node count that puts about 110 pods on a node, the kubelet's
 * default limit.
 */
public record ClusterSize(int namespaces, int pods, int policies, int nodes) {
  static final int SYSTEM_NAMESPACES = 2;
  static final int PODS_PER_NODE = 110;
  static final int MAX_PODS_PER_NODE = 253;

  public ClusterSize {
    checkArgument(namespaces > SYSTEM_NAMESPACES,
        "namespaces must be at least %s (two system namespaces and one tenant), got %s",
        SYSTEM_NAMESPACES + 1, namespaces);
    checkArgument(pods >= namespaces,
        "pods (%s) must be at least namespaces (%s) so that no namespace is empty",
        pods, namespaces);
    checkArgument(policies >= 0, "policies must not be negative, got %s", policies);
    checkArgument(nodes > 0, "nodes must be positive, got %s", nodes);
    checkArgument(pods <= (long) nodes * MAX_PODS_PER_NODE,
        "%s pods do not fit on %s nodes with a /24 pod CIDR each (at most %s pods a node)",
        pods, nodes, MAX_PODS_PER_NODE);
  }

  /** A cluster with about 110 pods on each node. */
  public static ClusterSize of(int namespaces, int pods, int policies) {
    return new ClusterSize(namespaces, pods, policies,
        Math.max(1, (pods + PODS_PER_NODE - 1) / PODS_PER_NODE));
  }

  /** The size the performance targets are stated for (issue 2). */
  public static ClusterSize target() {
    return of(100, 10_000, 1_000);
  }

  int tenantNamespaces() {
    return namespaces - SYSTEM_NAMESPACES;
  }
}
