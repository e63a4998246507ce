package dev.palisade.dataplane.ebpf;

import dev.palisade.model.Direction;

/**
 * A local pod as the program sees it: the value under its host-side interface's ifindex in the
 * {@code endpoints} map. The id is the endpoint part of its verdict keys.
 *
 * @param nodeTrafficAllowed whether what the node itself sends to the pod (kubelet probes), and
 *     the pod's answers, pass without meeting the pod's ingress rules
 * @param reject denied packets are answered (a TCP reset, an ICMP port unreachable) instead of
 *     dropped: the deny action REJECT
 * @param deniedIngressSlot the counter slot of the packets dropped on their way in (0: none)
 * @param deniedEgressSlot the same on their way out
 */
public record EbpfEndpoint(int id, boolean isolatedIngress, boolean isolatedEgress,
    boolean nodeTrafficAllowed, boolean reject, int deniedIngressSlot, int deniedEgressSlot) {
  static final int ISOLATED_INGRESS = 1;
  static final int ISOLATED_EGRESS = 2;
  static final int NODE_TRAFFIC_ALLOWED = 4;
  static final int REJECT = 8;

  public boolean isolated(Direction direction) {
    return direction == Direction.INGRESS ? isolatedIngress : isolatedEgress;
  }

  public int deniedSlot(Direction direction) {
    return direction == Direction.INGRESS ? deniedIngressSlot : deniedEgressSlot;
  }

  int flags() {
    return (isolatedIngress ? ISOLATED_INGRESS : 0) | (isolatedEgress ? ISOLATED_EGRESS : 0)
        | (nodeTrafficAllowed ? NODE_TRAFFIC_ALLOWED : 0) | (reject ? REJECT : 0);
  }

  static EbpfEndpoint of(int id, int flags, int deniedIngressSlot, int deniedEgressSlot) {
    return new EbpfEndpoint(id, (flags & ISOLATED_INGRESS) != 0, (flags & ISOLATED_EGRESS) != 0,
        (flags & NODE_TRAFFIC_ALLOWED) != 0, (flags & REJECT) != 0, deniedIngressSlot,
        deniedEgressSlot);
  }
}
