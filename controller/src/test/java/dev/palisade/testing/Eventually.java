package dev.palisade.testing;

import java.time.Duration;

/**
 * Polls an assertion until it holds or a timeout passes, then fails with the assertion's last
 * error: tests wait for the controller's asynchronous effects without fixed sleeps.
 */
public final class Eventually {
  private static final Duration POLL = Duration.ofMillis(50);

  /** An assertion that may throw until it holds. */
  public interface Check {
    void run() throws Exception;
  }

  private Eventually() {}

  public static void within(Duration timeout, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError | RuntimeException notYet) {
        if (System.nanoTime() >= deadline) {
          throw notYet;
        }
      }
      Thread.sleep(POLL.toMillis());
    }
  }
}
