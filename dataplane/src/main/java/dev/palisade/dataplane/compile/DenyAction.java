package dev.palisade.dataplane.compile;

/** What happens to a packet that no policy allows. */
public enum DenyAction {
  /** Silently dropped: the sender times out. */
  DROP,
  /** Answered: a TCP reset for TCP, an ICMP port unreachable for everything else. */
  REJECT
}
