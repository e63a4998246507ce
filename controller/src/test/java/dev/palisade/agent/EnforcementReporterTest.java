package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.ObjectRef;
import dev.palisade.realization.AgentLease;
import dev.palisade.realization.AgentReport;
import dev.palisade.testing.Eventually;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node's report Lease against the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class EnforcementReporterTest {
  private static final String NAMESPACE = "palisade-system";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** Renewed every second: short enough to watch it happen. */
  private static final Duration LEASE_DURATION = Duration.ofSeconds(3);

  private KubernetesMockServer server;
  private KubernetesClient client;
  private final AtomicReference<ImmutableSortedMap<String, Long>> enforced =
      new AtomicReference<>(ImmutableSortedMap.of());
  private EnforcementReporter reporter;
  private Pod agentPod;

  @BeforeEach
  void start() {
    agentPod = client.resource(new PodBuilder().withNewMetadata().withNamespace(NAMESPACE)
        .withName("palisade-agent-x7k2p").endMetadata().build()).create();
    reporter = new EnforcementReporter(client,
        ObjectRef.of(NAMESPACE, agentPod.getMetadata().getName()), "node-1", enforced::get,
        Clock.systemUTC(), LEASE_DURATION);
    reporter.start(Duration.ofMillis(50));
  }

  @AfterEach
  void stop() {
    reporter.close();
  }

  @Test
  void aNodeReportsBeforeItsFirstSyncAndThenWhatItEnforces() throws Exception {
    Eventually.within(TIMEOUT, () -> assertThat(report().enforcedVersions()).isEmpty());

    enforced.set(ImmutableSortedMap.of("NetworkPolicy", 120L, "Pod", 118L));

    Eventually.within(TIMEOUT, () -> assertThat(report().enforcedVersions())
        .isEqualTo(ImmutableSortedMap.of("NetworkPolicy", 120L, "Pod", 118L)));
    assertThat(report().current()).isTrue();
    assertThat(lease().getSpec().getLeaseDurationSeconds()).isEqualTo(3);
    // The agent's pod owns it: the garbage collector deletes it with the pod.
    assertThat(lease().getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
      assertThat(owner.getKind()).isEqualTo("Pod");
      assertThat(owner.getName()).isEqualTo(agentPod.getMetadata().getName());
      assertThat(owner.getUid()).isEqualTo(agentPod.getMetadata().getUid());
    });
  }

  @Test
  void unchangedVersionsAreRenewedWithinTheLeaseDuration() throws Exception {
    enforced.set(ImmutableSortedMap.of("NetworkPolicy", 7L));
    Eventually.within(TIMEOUT, () -> assertThat(report().enforcedVersions())
        .containsEntry("NetworkPolicy", 7L));
    Instant first = report().renewedAt();

    Eventually.within(TIMEOUT, () -> assertThat(report().renewedAt()).isAfter(first));
    assertThat(Duration.between(first, report().renewedAt())).isLessThan(LEASE_DURATION);
  }

  @Test
  void aLeaseSomeoneDeletedIsCreatedAgain() throws Exception {
    enforced.set(ImmutableSortedMap.of("NetworkPolicy", 7L));
    Eventually.within(TIMEOUT, () -> assertThat(lease()).isNotNull());

    client.leases().inNamespace(NAMESPACE).withName(AgentLease.name("node-1")).delete();
    enforced.set(ImmutableSortedMap.of("NetworkPolicy", 8L));

    Eventually.within(TIMEOUT, () -> assertThat(report().enforcedVersions())
        .containsEntry("NetworkPolicy", 8L));
  }

  private Lease lease() {
    return client.leases().inNamespace(NAMESPACE).withName(AgentLease.name("node-1")).get();
  }

  private AgentReport report() {
    return AgentLease.read(lease(), Instant.now()).orElseThrow();
  }
}
