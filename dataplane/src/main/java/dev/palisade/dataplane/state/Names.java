package dev.palisade.dataplane.state;

/** The prefixes that mark kernel objects as Palisade's: nothing else is ever touched. */
public final class Names {
  public static final String CHAIN_PREFIX = "PALISADE-";
  public static final String SET_PREFIX = "pal-";
  /** iptables' limit on chain names is 28 characters. */
  public static final int MAX_CHAIN_NAME_LENGTH = 28;

  private Names() {}
}
