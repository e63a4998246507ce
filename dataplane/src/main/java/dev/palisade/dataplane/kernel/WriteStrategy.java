package dev.palisade.dataplane.kernel;

/** How much of the state an apply writes. */
public enum WriteStrategy {
  /** Only the difference: member adds and deletes, edits of the changed chains. */
  INCREMENTAL,
  /**
   * Everything, every time: every set flushed and refilled, every chain redeclared and
   * rewritten, in one ipset restore and one iptables-restore per family. What a full-resync
   * enforcer does; kept to measure Palisade against it in the same run, not for production.
   */
  FULL_RESYNC
}
