package dev.palisade.agent;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;

/**
 * When the next dataplane sync should run: the pure decision behind {@link SyncRunner}.
 *
 * <ul>
 *   <li>a request runs a sync, but never sooner than {@code minInterval} after the previous
 *       one started (a burst of events becomes one sync);
 *   <li>after a failure, a retry follows {@code retryInterval} later, doubling up to
 *       {@code maxRetryInterval}, reset by a success;
 *   <li>with nothing requested, a sync still runs {@code maxInterval} after the previous one,
 *       so drift in the kernel is repaired even when the cluster is quiet;
 *   <li>a sync that had to wait for a complete model runs again {@link #WAITING_POLL} later,
 *       whatever else was requested, until it gets past the wait; a wait is no failure, so it
 *       neither starts nor resets the retry backoff.
 * </ul>
 *
 * <p>Times are {@link System#nanoTime()}-style readings. Not thread-safe: {@link SyncRunner}
 * guards it.
 */
final class SyncTimer {
  /** How often a waiting sync checks again whether the model is complete. */
  static final Duration WAITING_POLL = Duration.ofMillis(50);

  private final long minIntervalNanos;
  private final long maxIntervalNanos;
  private final long retryIntervalNanos;
  private final long maxRetryIntervalNanos;

  private boolean requested;
  private boolean everRun;
  private long lastStart;
  private long currentRetryNanos;
  private boolean waiting;

  SyncTimer(Duration minInterval, Duration maxInterval, Duration retryInterval,
      Duration maxRetryInterval) {
    checkArgument(!minInterval.isNegative(), "minimum sync interval must not be negative");
    checkArgument(maxInterval.compareTo(minInterval) >= 0,
        "maximum sync interval %s is below the minimum %s", maxInterval, minInterval);
    checkArgument(!retryInterval.isNegative() && !retryInterval.isZero(), "retry interval must be positive");
    checkArgument(maxRetryInterval.compareTo(retryInterval) >= 0,
        "maximum retry interval %s is below the retry interval %s", maxRetryInterval,
        retryInterval);
    this.minIntervalNanos = minInterval.toNanos();
    this.maxIntervalNanos = maxInterval.toNanos();
    this.retryIntervalNanos = retryInterval.toNanos();
    this.maxRetryIntervalNanos = maxRetryInterval.toNanos();
  }

  void request() {
    requested = true;
  }

  /** The time at which the next sync should start (may be in the past: run now). */
  long nextRunAt(long now) {
    if (!everRun) {
      return requested ? now : Long.MAX_VALUE;
    }
    if (waiting) {
      return lastStart + WAITING_POLL.toNanos();
    }
    long next = lastStart + maxIntervalNanos;
    if (requested) {
      next = Math.min(next, lastStart + minIntervalNanos);
    }
    if (currentRetryNanos > 0) {
      next = Math.min(next, lastStart + Math.max(minIntervalNanos, currentRetryNanos));
    }
    return next;
  }

  /**
   * Whether no sync is asked for or owed: nothing requested since the last one started, which
   * neither failed nor waited. Work that may wait (the agent's rehearsals) runs only then.
   */
  boolean quiet() {
    return everRun && !requested && !waiting && currentRetryNanos == 0;
  }

  /** A sync starts now: every request made so far is served by it. */
  void started(long now) {
    requested = false;
    everRun = true;
    lastStart = now;
  }

  void finished(SyncOutcome outcome) {
    waiting = outcome == SyncOutcome.WAITING;
    if (outcome == SyncOutcome.ENFORCED) {
      currentRetryNanos = 0;
    } else if (outcome == SyncOutcome.FAILED) {
      currentRetryNanos = currentRetryNanos == 0 ? retryIntervalNanos
          : Math.min(maxRetryIntervalNanos, currentRetryNanos * 2);
    }
  }
}
