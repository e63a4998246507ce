package dev.palisade.agent;

import static dev.palisade.agent.EnforcementTracker.MAX_PENDING_RECEIPTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EnforcementTrackerTest {
  private long now;
  private final EnforcementTracker tracker = new EnforcementTracker(new Ticker() {
    @Override
    public long read() {
      return now;
    }
  });

  private void receive(int events) {
    for (int i = 0; i < events; i++) {
      now++;
      tracker.received("Pod", Long.toString(now), now);
    }
  }

  @Test
  void receiptsWaitingForEnforcementStayBoundedWhileSyncsFailAndTheDroppedAreCounted() {
    long firstReceipt = now + 1;
    for (int failedSync = 0; failedSync < 3; failedSync++) {
      receive(MAX_PENDING_RECEIPTS);
      tracker.finishSync(tracker.startSync(), false);
    }
    receive(10);

    EnforcementTracker.Ticket ticket = tracker.startSync();

    assertThat(ticket.receivedAtNanos()).hasSize(MAX_PENDING_RECEIPTS);
    assertThat(tracker.droppedReceipts()).isEqualTo(2L * MAX_PENDING_RECEIPTS + 10);
    assertThat(Arrays.stream(ticket.receivedAtNanos()).min()).as("the oldest receipt is kept")
        .hasValue(firstReceipt);
    assertThat(ticket.versions()).containsEntry("Pod", now);
    long[] delays = tracker.finishSync(ticket, true);
    assertThat(delays).hasSize(MAX_PENDING_RECEIPTS);
    assertThat(tracker.enforcedVersions()).containsEntry("Pod", now);
  }
}
