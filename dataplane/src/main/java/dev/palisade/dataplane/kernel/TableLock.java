package dev.palisade.dataplane.kernel;

/**
 * Mutual exclusion with other iptables users for the span of one read-diff-write. See
 * {@link KernelTools} for why nf_tables needs none and legacy iptables takes
 * {@link XtablesLock}.
 */
public interface TableLock {
  /** A held lock; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  Held acquire();

  /** For the nf_tables variant: each restore is an atomic transaction and waits by itself. */
  static TableLock none() {
    return () -> () -> { };
  }
}
