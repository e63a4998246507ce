package dev.palisade.agent;

/** What one dataplane sync did, as {@link SyncRunner} and {@link SyncTimer} see it. */
enum SyncOutcome {
  /** The kernel holds the compiled state. */
  ENFORCED,
  /** The kernel could not be brought to the compiled state: retry with backoff. */
  FAILED,
  /**
   * Nothing was compiled or written because the model does not yet hold the complete view of
   * the cluster (initial lists still being taken in, a watch down): the kernel keeps what it
   * has, and the sync is tried again shortly.
   */
  WAITING
}
