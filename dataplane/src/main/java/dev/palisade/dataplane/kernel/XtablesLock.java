package dev.palisade.dataplane.kernel;

import java.nio.file.Path;
import java.time.Duration;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;

/**
 * The xtables lock ({@code /run/xtables.lock}) that legacy iptables binaries take with
 * {@code flock(2)}: held across the read-diff-write, for legacy iptables older than 1.6.2 whose
 * restore does not lock, so no other iptables user (kube-proxy) changes a table between our
 * read and our restore. Never for newer ones ({@link IptablesVersion}). Polls with
 * {@code LOCK_NB} so a stuck holder becomes a clear error instead of a hang.
 */
public final class XtablesLock implements TableLock {
  public static final Path DEFAULT_PATH = Path.of("/run/xtables.lock");
  private static final Duration POLL = Duration.ofMillis(50);
  /** flock(2) operations from Linux's sys/file.h (jnr-constants has no Flock enum). */
  private static final int LOCK_EX = 2;
  private static final int LOCK_NB = 4;

  private final POSIX posix;
  private final Path path;
  private final Duration timeout;
  private final Sleeper sleeper;

  public XtablesLock(POSIX posix, Path path, Duration timeout, Sleeper sleeper) {
    this.posix = posix;
    this.path = path;
    this.timeout = timeout;
    this.sleeper = sleeper;
  }

  @Override
  public Held acquire() {
    int fd = posix.open(path.toString(), OpenFlags.O_CREAT.intValue()
        | OpenFlags.O_RDWR.intValue(), 0600);
    if (fd < 0) {
      throw new IllegalStateException("cannot open " + path + ": errno " + posix.errno());
    }
    long waited = 0;
    while (posix.flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (waited >= timeout.toMillis()) {
        posix.close(fd);
        throw new IllegalStateException("another program has held " + path + " for over "
            + timeout + "; cannot change iptables safely");
      }
      try {
        sleeper.sleep(POLL);
      } catch (InterruptedException e) {
        posix.close(fd);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + path, e);
      }
      waited += POLL.toMillis();
    }
    return () -> posix.close(fd);
  }
}
