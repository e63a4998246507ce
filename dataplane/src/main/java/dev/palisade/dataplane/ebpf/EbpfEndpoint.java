package dev.palisade.dataplane.ebpf;

/**
 * A local pod as the program sees it: the value under its host-side interface's ifindex in the
 * {@code endpoints} map. The id is the endpoint part of its verdict keys.
 *
 * @param nodeTrafficAllowed whether what the node itself sends to the pod (kubelet probes), and
 *     the pod's answers, pass without meeting the pod's ingress rules
 */
public record EbpfEndpoint(int id, boolean isolatedIngress, boolean isolatedEgress,
    boolean nodeTrafficAllowed) {
  static final int ISOLATED_INGRESS = 1;
  static final int ISOLATED_EGRESS = 2;
  static final int NODE_TRAFFIC_ALLOWED = 4;

  int flags() {
    return (isolatedIngress ? ISOLATED_INGRESS : 0) | (isolatedEgress ? ISOLATED_EGRESS : 0)
        | (nodeTrafficAllowed ? NODE_TRAFFIC_ALLOWED : 0);
  }

  static EbpfEndpoint of(int id, int flags) {
    return new EbpfEndpoint(id, (flags & ISOLATED_INGRESS) != 0, (flags & ISOLATED_EGRESS) != 0,
        (flags & NODE_TRAFFIC_ALLOWED) != 0);
  }
}
