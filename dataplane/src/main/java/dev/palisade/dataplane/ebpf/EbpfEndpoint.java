package dev.palisade.dataplane.ebpf;

/**
 * A local pod as the program sees it: the value under its host-side interface's ifindex in the
 * {@code endpoints} map. The id is the endpoint part of its verdict keys.
 *
 * @param reject denied packets are answered (a TCP reset, an ICMP port unreachable) instead of
 *     dropped: the deny action REJECT
 */
public record EbpfEndpoint(int id, boolean isolatedIngress, boolean isolatedEgress,
    boolean reject) {
  static final int ISOLATED_INGRESS = 1;
  static final int ISOLATED_EGRESS = 2;
  // bit 2 (4) is node traffic's
  static final int REJECT = 8;

  /** An endpoint whose denied packets are dropped. */
  public EbpfEndpoint(int id, boolean isolatedIngress, boolean isolatedEgress) {
    this(id, isolatedIngress, isolatedEgress, false);
  }

  int flags() {
    return (isolatedIngress ? ISOLATED_INGRESS : 0) | (isolatedEgress ? ISOLATED_EGRESS : 0)
        | (reject ? REJECT : 0);
  }

  static EbpfEndpoint of(int id, int flags) {
    return new EbpfEndpoint(id, (flags & ISOLATED_INGRESS) != 0, (flags & ISOLATED_EGRESS) != 0,
        (flags & REJECT) != 0);
  }
}
