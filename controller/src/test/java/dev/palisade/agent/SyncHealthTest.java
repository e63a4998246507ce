package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Readiness and liveness from the sync loop's outcomes, on a hand-driven clock. */
class SyncHealthTest {
  private static final Duration GRACE = Duration.ofSeconds(60);
  private static final Duration STUCK = Duration.ofMinutes(5);

  private long now;
  private final SyncHealth health = new SyncHealth(new Ticker() {
    @Override
    public long read() {
      return now;
    }
  }, GRACE, STUCK);

  private void after(Duration elapsed) {
    now += elapsed.toNanos();
  }

  private void sync(SyncOutcome outcome) {
    health.started();
    health.finished(outcome);
  }

  @Test
  void notReadyBeforeTheFirstSuccessWhateverTheWait() {
    sync(SyncOutcome.WAITING);
    after(Duration.ofSeconds(1));
    assertThat(health.notReady()).hasValue("the first sync has not succeeded yet");
    assertThat(health.notLive()).isEmpty();
    sync(SyncOutcome.ENFORCED);
    assertThat(health.notReady()).isEmpty();
  }

  @Test
  void failuresWithinTheGraceWindowKeepReadinessLongerOnesTakeItUntilASuccess() {
    sync(SyncOutcome.ENFORCED);
    sync(SyncOutcome.FAILED);
    after(Duration.ofSeconds(30));
    sync(SyncOutcome.FAILED);
    after(Duration.ofSeconds(30));
    assertThat(health.notReady()).as("60 s of failures: within the grace window").isEmpty();

    after(Duration.ofSeconds(1));
    assertThat(health.notReady()).hasValueSatisfying(why -> assertThat(why)
        .contains("no sync has enforced the policies for 61.0 s", "the last sync failed"));
    assertThat(health.notLive()).as("a failing loop still runs and retries").isEmpty();

    sync(SyncOutcome.ENFORCED);
    assertThat(health.notReady()).isEmpty();
    after(Duration.ofSeconds(61));
    assertThat(health.notReady()).as("the window counts from the first failure after a success")
        .isEmpty();
  }

  @Test
  void aWaitForACompleteModelAfterASuccessCountsLikeAFailureButIsNeverUnhealthy() {
    sync(SyncOutcome.ENFORCED);
    sync(SyncOutcome.WAITING);
    after(GRACE);
    assertThat(health.notReady()).isEmpty();
    after(Duration.ofSeconds(1));
    assertThat(health.notReady()).hasValueSatisfying(why -> assertThat(why)
        .contains("waited for the model to hold the cluster's complete view"));
    assertThat(health.notLive()).isEmpty();
  }

  @Test
  void aSyncRunningLongerThanTheStuckTimeoutIsNotLive() {
    sync(SyncOutcome.ENFORCED);
    health.started();
    after(STUCK);
    assertThat(health.notLive()).isEmpty();
    after(Duration.ofSeconds(1));
    assertThat(health.notLive()).hasValueSatisfying(why -> assertThat(why)
        .contains("a sync has been running for 301.0 s"));
    health.finished(SyncOutcome.ENFORCED);
    assertThat(health.notLive()).isEmpty();
  }

  @Test
  void aDeadLoopIsNeitherLiveNorReady() {
    sync(SyncOutcome.ENFORCED);
    health.started();
    health.died(new OutOfMemoryError("Java heap space"));
    assertThat(health.notLive()).hasValue(
        "the sync loop died: java.lang.OutOfMemoryError: Java heap space");
    assertThat(health.notReady()).isPresent();
  }
}
