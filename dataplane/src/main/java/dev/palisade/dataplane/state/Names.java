package dev.palisade.dataplane.state;

/**
 * Kernel limits on names, and the marker that makes a set Palisade's; the prefixes are the
 * {@link Installation}'s.
 */
public final class Names {
  /**
   * The create option every Palisade set carries ({@code comment}: its entries may have
   * comments; ours have none). The prefix alone does not make a set Palisade's: only a set with
   * this marker is ever destroyed.
   */
  public static final String SET_OWNERSHIP_MARKER = "comment";
  /** iptables' limit on chain names is 28 characters. */
  public static final int MAX_CHAIN_NAME_LENGTH = 28;

  private Names() {}
}
