package dev.palisade.realization;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedMap;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's report Lease, written and read back (through JSON, as the API server keeps it). */
class AgentLeaseTest {
  private static final Instant RENEWED = Instant.parse("2026-12-01T10:00:00.123456Z");
  private static final ImmutableSortedMap<String, Long> VERSIONS =
      ImmutableSortedMap.of("Namespace", 3L, "NetworkPolicy", 120L, "Pod", 118L);

  @Test
  void aReportReadsBackCurrentWithinItsDurationAndStaleAfter() {
    Lease lease = roundTrip(AgentLease.of("palisade-system", "node-1", VERSIONS, RENEWED,
        Duration.ofSeconds(30)));

    assertThat(lease.getMetadata().getName()).isEqualTo("palisade-agent-node-1");
    assertThat(lease.getMetadata().getLabels()).containsEntry(AgentLease.REPORT_LABEL, "true");
    assertThat(AgentLease.read(lease, RENEWED.plusSeconds(29))).hasValue(
        AgentReport.of("node-1", VERSIONS, RENEWED, true));
    assertThat(AgentLease.read(lease, RENEWED.plusSeconds(30))).hasValue(
        AgentReport.of("node-1", VERSIONS, RENEWED, false));
  }

  @Test
  void aLeaseThatIsNoReportReadsAsNothing() {
    Lease foreign = new LeaseBuilder().withNewMetadata().withName("palisade-agent-x")
        .addToLabels(AgentLease.REPORT_LABEL, "true").endMetadata()
        .withNewSpec().withHolderIdentity("x").endSpec().build();
    Lease garbled = AgentLease.of("ns", "node-1", VERSIONS, RENEWED, Duration.ofSeconds(30));
    garbled.getMetadata().setAnnotations(Map.of(AgentLease.VERSIONS_ANNOTATION, "[1, 2]"));

    assertThat(AgentLease.read(foreign, RENEWED)).isEmpty();
    assertThat(AgentLease.read(garbled, RENEWED)).isEmpty();
  }

  private static Lease roundTrip(Lease lease) {
    return Serialization.unmarshal(Serialization.asJson(lease), Lease.class);
  }
}
