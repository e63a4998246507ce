package dev.palisade.dataplane.ebpf;

/**
 * A local pod as the program sees it: the value under its host-side interface's ifindex in the
 * {@code endpoints} map. The id is the endpoint part of its verdict keys.
 */
public record EbpfEndpoint(int id, boolean isolatedIngress, boolean isolatedEgress) {
  static final int ISOLATED_INGRESS = 1;
  static final int ISOLATED_EGRESS = 2;

  int flags() {
    return (isolatedIngress ? ISOLATED_INGRESS : 0) | (isolatedEgress ? ISOLATED_EGRESS : 0);
  }

  static EbpfEndpoint of(int id, int flags) {
    return new EbpfEndpoint(id, (flags & ISOLATED_INGRESS) != 0, (flags & ISOLATED_EGRESS) != 0);
  }
}
