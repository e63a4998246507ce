package dev.palisade.dataplane.kernel;

/**
 * Mutual exclusion with other iptables users for the span of one read-diff-write. See
 * {@link IptablesVersion} for why only legacy iptables older than 1.6.2 needs
 * {@link XtablesLock} and every newer one must not hold it.
 */
public interface TableLock {
  /** A held lock; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  Held acquire();

  /** For iptables whose restore locks (or, nf_tables, needs no lock) by itself. */
  static TableLock none() {
    return () -> () -> { };
  }

  /** The lock the installed iptables needs the writer to hold. */
  static TableLock forVersion(IptablesVersion version, XtablesLock xtablesLock) {
    return version.restoreLocksItself() ? none() : xtablesLock;
  }
}
