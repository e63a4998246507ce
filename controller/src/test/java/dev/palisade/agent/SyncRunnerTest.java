package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SyncRunnerTest {
  private static SyncHealth health() {
    return new SyncHealth(Ticker.systemTicker(), Duration.ofMinutes(1), Duration.ofMinutes(5));
  }

  @Test
  void coalescesABurstOfRequestsIntoFewSyncs() throws Exception {
    AtomicInteger syncs = new AtomicInteger();
    CountDownLatch firstSync = new CountDownLatch(1);
    try (SyncRunner runner = new SyncRunner("test-sync", () -> {
      syncs.incrementAndGet();
      firstSync.countDown();
      return SyncOutcome.ENFORCED;
    }, () -> false, new SyncTimer(Duration.ofMillis(200), Duration.ofMinutes(10),
        Duration.ofMillis(100), Duration.ofSeconds(1)), health(), Ticker.systemTicker())) {
      runner.start();
      for (int i = 0; i < 1000; i++) {
        runner.request();
      }
      assertThat(firstSync.await(5, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(600);
      // the first request runs at once, the rest are served by at most a few more syncs
      assertThat(syncs.get()).isBetween(1, 4);
    }
  }

  /**
   * Idle work waits for the first sync, runs a unit at a time while no sync is asked for, and
   * yields to a request that comes in meanwhile; it stops when it says it has nothing to do.
   */
  @Test
  void runsIdleWorkOnlyWhileNoSyncIsAskedFor() throws Exception {
    List<String> happened = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<SyncRunner> self = new AtomicReference<>();
    CountDownLatch idleDone = new CountDownLatch(1);
    AtomicInteger units = new AtomicInteger();
    try (SyncRunner runner = new SyncRunner("test-sync", () -> {
      happened.add("sync");
      return SyncOutcome.ENFORCED;
    }, () -> {
      int unit = units.incrementAndGet();
      if (unit > 4) {
        idleDone.countDown();
        return false;
      }
      happened.add("idle " + unit);
      if (unit == 2) {
        self.get().request();
      }
      return true;
    }, new SyncTimer(Duration.ZERO, Duration.ofMinutes(10), Duration.ofMillis(10),
        Duration.ofSeconds(1)), health(), Ticker.systemTicker())) {
      self.set(runner);
      runner.start();
      Thread.sleep(100);
      assertThat(happened).as("nothing before the first sync").isEmpty();
      runner.request();
      assertThat(idleDone.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(happened).containsExactly("sync", "idle 1", "idle 2", "sync", "idle 3",
          "idle 4");
    }
  }

  @Test
  void aThrowingSyncIsRetried() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch succeeded = new CountDownLatch(1);
    try (SyncRunner runner = new SyncRunner("test-sync", () -> {
      if (attempts.incrementAndGet() < 3) {
        throw new IllegalStateException("kernel said no");
      }
      succeeded.countDown();
      return SyncOutcome.ENFORCED;
    }, () -> false, new SyncTimer(Duration.ZERO, Duration.ofMinutes(10),
        Duration.ofMillis(10), Duration.ofMillis(40)), health(), Ticker.systemTicker())) {
      runner.start();
      runner.request();
      assertThat(succeeded.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(attempts.get()).isEqualTo(3);
    }
  }

  @Test
  void anErrorEndsTheLoopAndMakesItNotLive() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    SyncHealth health = health();
    try (SyncRunner runner = new SyncRunner("test-sync", () -> {
      attempts.incrementAndGet();
      throw new OutOfMemoryError("Java heap space");
    }, () -> false, new SyncTimer(Duration.ZERO, Duration.ofMinutes(10),
        Duration.ofMillis(10), Duration.ofMillis(40)), health, Ticker.systemTicker())) {
      runner.start();
      runner.request();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (runner.notLive().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(runner.notLive()).hasValueSatisfying(why ->
          assertThat(why).contains("the sync loop died", "OutOfMemoryError", "Java heap space"));
      assertThat(runner.notReady()).isPresent();
      runner.request();
      Thread.sleep(100);
      assertThat(attempts.get()).as("the loop ended").isEqualTo(1);
    }
  }
}
