package dev.palisade.e2e.realapi;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition of the real cluster, which changes asynchronously, until it holds. */
final class Await {
  private static final Duration POLL = Duration.ofMillis(200);

  private Await() {}

  /** Fails with {@code what} when the condition does not hold within the timeout. */
  static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> "");
  }

  /** The same, and the failure also tells {@code state} as it is then. */
  static void until(String what, Duration timeout, BooleanSupplier condition,
      Supplier<String> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what
            + state.get());
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what, e);
      }
    }
  }
}
