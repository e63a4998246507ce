package dev.palisade.controller;

import java.time.Duration;

/**
 * Polls an assertion until it holds or a timeout passes, then fails with the assertion's last
 * error: tests wait for the controller's asynchronous effects without fixed sleeps.
 */
final class Eventually {
  private static final Duration POLL = Duration.ofMillis(50);

  interface Check {
    void run() throws Exception;
  }

  private Eventually() {}

  static void within(Duration timeout, Check check) throws Exception {
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
