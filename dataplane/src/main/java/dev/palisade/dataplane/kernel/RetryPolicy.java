package dev.palisade.dataplane.kernel;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;

/** How often an apply is retried after a failed command, and how long to wait in between. */
public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
  public RetryPolicy {
    checkArgument(maxAttempts >= 1, "maxAttempts must be at least 1, got %s", maxAttempts);
    checkArgument(!firstBackoff.isNegative() && firstBackoff.compareTo(maxBackoff) <= 0,
        "backoff must satisfy 0 <= first (%s) <= max (%s)", firstBackoff, maxBackoff);
  }

  public static RetryPolicy standard() {
    return new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  /** The wait after the given failed attempt (1-based): doubling, capped. */
  public Duration backoffAfter(int attempt) {
    Duration backoff = firstBackoff.multipliedBy(1L << Math.min(attempt - 1, 20));
    return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
  }
}
