package dev.palisade.agent;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What the agent's {@code /readyz} and {@code /healthz} answer, decided from what the sync loop
 * reports: the pure core behind both endpoints.
 *
 * <ul>
 *   <li><b>Readiness</b>: not ready before the first sync enforced. After that ready, unless no
 *       sync has enforced for longer than the grace window, counted from the first sync since the
 *       last success that did not enforce ({@link SyncOutcome#FAILED}, or {@link
 *       SyncOutcome#WAITING} for a complete model: either way the kernel no longer follows the
 *       cluster). One failed sync, or a relist that completes within the window, does not flap
 *       readiness; a node that cannot enforce for longer stops being ready; the next success
 *       makes it ready again at once. A dead loop is not ready.
 *   <li><b>Liveness</b>: live unless the loop died (an {@link Error} ended it) or one sync has run
 *       for longer than the stuck timeout. Failing and waiting syncs are live: the loop runs and
 *       retries, and recovers when the kernel or the API server does; a restart would not help.
 * </ul>
 *
 * <p>Thread-safe: the sync thread reports, the HTTP thread asks. Times are {@link Ticker}
 * readings.
 */
final class SyncHealth {
  private final Ticker ticker;
  private final long graceNanos;
  private final long stuckNanos;
  private boolean enforcedOnce;
  /** When the first sync since the last success that did not enforce finished, else -1. */
  private long notEnforcingSince = -1;
  private SyncOutcome lastOutcome;
  /** When the running sync started, else -1. */
  private long runningSince = -1;
  private Throwable death;

  SyncHealth(Ticker ticker, Duration readinessGrace, Duration stuckSyncTimeout) {
    this.ticker = ticker;
    this.graceNanos = readinessGrace.toNanos();
    this.stuckNanos = stuckSyncTimeout.toNanos();
  }

  synchronized void started() {
    runningSince = ticker.read();
  }

  synchronized void finished(SyncOutcome outcome) {
    runningSince = -1;
    lastOutcome = outcome;
    if (outcome == SyncOutcome.ENFORCED) {
      enforcedOnce = true;
      notEnforcingSince = -1;
    } else if (notEnforcingSince < 0) {
      notEnforcingSince = ticker.read();
    }
  }

  /** The loop ended with this error: nothing syncs any more. */
  synchronized void died(Throwable error) {
    runningSince = -1;
    death = error;
  }

  /** Empty when ready; else why not, in the operator's terms. */
  synchronized Optional<String> notReady() {
    if (death != null) {
      return Optional.of("the sync loop died: " + death);
    }
    if (!enforcedOnce) {
      return Optional.of("the first sync has not succeeded yet");
    }
    if (notEnforcingSince >= 0 && ticker.read() - notEnforcingSince > graceNanos) {
      return Optional.of("no sync has enforced the policies for "
          + seconds(ticker.read() - notEnforcingSince) + " s, longer than the readiness grace of "
          + seconds(graceNanos) + " s; the last sync "
          + (lastOutcome == SyncOutcome.WAITING
              ? "waited for the model to hold the cluster's complete view" : "failed"));
    }
    return Optional.empty();
  }

  /** Empty when the loop is live; else why not. */
  synchronized Optional<String> notLive() {
    if (death != null) {
      return Optional.of("the sync loop died: " + death);
    }
    if (runningSince >= 0 && ticker.read() - runningSince > stuckNanos) {
      return Optional.of("a sync has been running for " + seconds(ticker.read() - runningSince)
          + " s, longer than the stuck-sync timeout of " + seconds(stuckNanos) + " s");
    }
    return Optional.empty();
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
  }
}
