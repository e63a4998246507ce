package dev.palisade.controller;

import dev.palisade.testing.Eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** Losing the lease stops the replica without ending the JVM (exitOnStopLeading is false). */
class LeadershipTest {

  @Test
  void aLeaderWhoseLeaseIsTakenStopsWritingAndSaysSo() throws Exception {
    try (var cluster = new MockCluster();
        var controller = cluster.startController("replica-1", new SimpleMeterRegistry())) {
      assertThat(controller.leadershipLost()).isNotDone();

      // Another replica holds the lease now, for an hour: renewals fail until the deadline.
      // The edit is retried: a renewal of the leader between its read and its write makes it a
      // conflict (409), as it would for a real contender.
      Eventually.within(Duration.ofSeconds(10), () -> cluster.client.leases()
          .inNamespace(MockCluster.LEASE_NAMESPACE).withName("palisade-controller")
          .edit(lease -> {
            lease.getSpec().setHolderIdentity("intruder");
            lease.getSpec().setLeaseDurationSeconds(3600);
            lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
            return lease;
          }));

      Eventually.within(Duration.ofSeconds(60), () ->
          assertThat(controller.leadershipLost()).isDone());
      assertThat(controller.isLeading()).isFalse();
    }
  }
}
