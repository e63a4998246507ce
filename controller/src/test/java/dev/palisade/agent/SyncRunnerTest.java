package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SyncRunnerTest {

  @Test
  void coalescesABurstOfRequestsIntoFewSyncs() throws Exception {
    AtomicInteger syncs = new AtomicInteger();
    CountDownLatch firstSync = new CountDownLatch(1);
    try (SyncRunner runner = new SyncRunner("test-sync", () -> {
      syncs.incrementAndGet();
      firstSync.countDown();
      return SyncOutcome.ENFORCED;
    }, Duration.ofMillis(200), Duration.ofMinutes(10), Duration.ofMillis(100),
        Duration.ofSeconds(1), Ticker.systemTicker())) {
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
    }, Duration.ZERO, Duration.ofMinutes(10), Duration.ofMillis(10), Duration.ofMillis(40),
        Ticker.systemTicker())) {
      runner.start();
      runner.request();
      assertThat(succeeded.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(attempts.get()).isEqualTo(3);
    }
  }
}
