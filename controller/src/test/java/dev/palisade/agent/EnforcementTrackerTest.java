package dev.palisade.agent;

import static dev.palisade.agent.EnforcementTracker.MAX_PENDING_RECEIPTS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EnforcementTrackerTest {
  private long now;
  private final EnforcementTracker tracker = new EnforcementTracker();

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
      tracker.finishSync(tracker.startSync(), false, now);
    }
    receive(10);

    EnforcementTracker.Ticket ticket = tracker.startSync();

    assertThat(ticket.receivedAtNanos()).hasSize(MAX_PENDING_RECEIPTS);
    assertThat(tracker.droppedReceipts()).isEqualTo(2L * MAX_PENDING_RECEIPTS + 10);
    assertThat(Arrays.stream(ticket.receivedAtNanos()).min()).as("the oldest receipt is kept")
        .hasValue(firstReceipt);
    assertThat(ticket.versions()).containsEntry("Pod", now);
    long[] delays = tracker.finishSync(ticket, true, now + 5);
    assertThat(delays).hasSize(MAX_PENDING_RECEIPTS);
    assertThat(Arrays.stream(delays).max()).as("the oldest receipt's delay to enforcement")
        .hasValue(now + 5 - firstReceipt);
    assertThat(tracker.enforcedVersions()).containsEntry("Pod", now);
  }
}
