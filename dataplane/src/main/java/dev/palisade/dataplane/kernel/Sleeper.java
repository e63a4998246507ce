package dev.palisade.dataplane.kernel;

import java.time.Duration;

/** Waits between retries; injected so unit tests record the backoff instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
  void sleep(Duration duration) throws InterruptedException;

  static Sleeper system() {
    return duration -> Thread.sleep(duration.toMillis());
  }
}
