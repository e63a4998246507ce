package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyncTimerTest {
  private static final long MS = 1_000_000L;

  private final SyncTimer timer = new SyncTimer(Duration.ofMillis(100), Duration.ofSeconds(60),
      Duration.ofMillis(500), Duration.ofSeconds(4));

  @Test
  void nothingRunsBeforeTheFirstRequest() {
    assertThat(timer.nextRunAt(0)).isEqualTo(Long.MAX_VALUE);
    timer.request();
    assertThat(timer.nextRunAt(7 * MS)).isEqualTo(7 * MS);
  }

  @Test
  void aBurstOfRequestsWithinTheMinimumIntervalBecomesOneSync() {
    timer.request();
    timer.started(0);
    timer.finished(SyncOutcome.ENFORCED);
    for (int i = 0; i < 1000; i++) {
      timer.request();
    }
    assertThat(timer.nextRunAt(10 * MS)).isEqualTo(100 * MS);
    timer.started(100 * MS);
    timer.finished(SyncOutcome.ENFORCED);
    assertThat(timer.nextRunAt(101 * MS)).as("all requests were served by one sync")
        .isEqualTo(100 * MS + 60_000 * MS);
  }

  @Test
  void aQuietClusterIsStillSyncedAtTheMaximumInterval() {
    timer.request();
    timer.started(0);
    timer.finished(SyncOutcome.ENFORCED);
    assertThat(timer.nextRunAt(MS)).isEqualTo(60_000 * MS);
  }

  @Test
  void failuresRetryWithDoublingBackoffUpToTheMaximumAndResetOnSuccess() {
    timer.request();
    long start = 0;
    long[] expectedDelays = {500, 1000, 2000, 4000, 4000};
    for (long delay : expectedDelays) {
      timer.started(start);
      timer.finished(SyncOutcome.FAILED);
      long next = timer.nextRunAt(start);
      assertThat(next - start).isEqualTo(delay * MS);
      start = next;
    }
    timer.started(start);
    timer.finished(SyncOutcome.ENFORCED);
    assertThat(timer.nextRunAt(start)).isEqualTo(start + 60_000 * MS);
  }

  @Test
  void aRequestDuringBackoffDoesNotBypassTheMinimumInterval() {
    timer.request();
    timer.started(0);
    timer.finished(SyncOutcome.FAILED);
    timer.request();
    assertThat(timer.nextRunAt(0)).isEqualTo(100 * MS);
  }

  @Test
  void aWaitingSyncPollsUntilItGetsPastTheWaitWithoutARequest() {
    timer.request();
    timer.started(0);
    timer.finished(SyncOutcome.WAITING);
    long poll = SyncTimer.WAITING_POLL.toNanos();
    assertThat(timer.nextRunAt(0)).as("no request pending, still polled").isEqualTo(poll);
    timer.started(poll);
    timer.finished(SyncOutcome.ENFORCED);
    assertThat(timer.nextRunAt(poll)).as("past the wait: back to the quiet interval")
        .isEqualTo(poll + 60_000 * MS);
  }

  @Test
  void waitingNeitherStartsNorResetsTheRetryBackoff() {
    timer.request();
    timer.started(0);
    timer.finished(SyncOutcome.FAILED);
    timer.started(500 * MS);
    timer.finished(SyncOutcome.WAITING);
    timer.started(550 * MS);
    timer.finished(SyncOutcome.FAILED);
    assertThat(timer.nextRunAt(550 * MS)).as("the second failure doubles the first's delay")
        .isEqualTo(1550 * MS);
  }

  @Test
  void rejectsIntervalsThatContradictEachOther() {
    assertThatThrownBy(() -> new SyncTimer(Duration.ofSeconds(2), Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .hasMessageContaining("below the minimum");
  }
}
