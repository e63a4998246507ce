package dev.palisade.controller;

import static dev.palisade.controller.ClusterObjects.denyIngress;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.realization.AgentLease;
import dev.palisade.realization.AgentReport;
import dev.palisade.realization.PolicyVersion;
import dev.palisade.realization.Realization;
import dev.palisade.testing.Eventually;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The leading controller publishes "enforced on N of M nodes" from the agents' report Leases
 * (written here as agents write them) against the mock API server: gauges, and one
 * PolicyEnforced Event per policy version once every node enforces it.
 */
class RealizationPublishingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static MockCluster cluster;
  private static PalisadeController controller;
  private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void startController() throws Exception {
    cluster = new MockCluster();
    controller = cluster.startController("replica-1", registry);
  }

  @AfterAll
  static void stopController() {
    controller.close();
    cluster.close();
  }

  @Test
  void aPolicyVersionIsAnnouncedOnceWhenTheLastNodeEnforcesIt() throws Exception {
    NetworkPolicy policy = cluster.create(denyIngress("x", "deny-all"));
    long version = Long.parseLong(policy.getMetadata().getResourceVersion());
    report("node-1", version, Instant.now());
    report("node-2", version - 1, Instant.now());
    report("node-3", version, Instant.now().minusSeconds(120));

    Eventually.within(TIMEOUT, () -> {
      assertThat(gauge("palisade_agent_nodes")).isEqualTo(3);
      assertThat(gauge("palisade_agent_nodes_reporting")).isEqualTo(2);
      assertThat(enforcedNodes("x", "deny-all")).isEqualTo(1);
    });
    assertThat(enforcedEvents(policy)).isEmpty();

    cluster.client.leases().inNamespace(MockCluster.LEASE_NAMESPACE)
        .withName(AgentLease.name("node-3")).delete();
    report("node-2", version, Instant.now());

    Eventually.within(TIMEOUT, () -> assertThat(enforcedEvents(policy)).singleElement()
        .satisfies(event -> {
          assertThat(event.getType()).isEqualTo("Normal");
          assertThat(event.getMessage())
              .isEqualTo("Enforced on every node: 2 of 2 (resourceVersion " + version + ")");
          assertThat(event.getInvolvedObject().getName()).isEqualTo("deny-all");
          assertThat(event.getInvolvedObject().getResourceVersion())
              .isEqualTo(String.valueOf(version));
        }));
    assertThat(enforcedNodes("x", "deny-all")).isEqualTo(2);
    // Later publications (every 2 s) find it announced.
    Thread.sleep(RealizationPublisher.INTERVAL.multipliedBy(2).toMillis());
    assertThat(enforcedEvents(policy)).hasSize(1);
  }

  @Test
  void aSecondLeaderDoesNotAnnounceAVersionAgain() {
    PolicyVersion policy = new PolicyVersion("y", "allow", "uid-allow", "42");
    Realization everywhere = Realization.of(List.of(policy), List.of(AgentReport.of("node-1",
        Map.of("NetworkPolicy", 42L), Instant.now(), true)));

    new EnforcedEvents(cluster.client, Clock.systemUTC(), "replica-a").announce(everywhere);
    new EnforcedEvents(cluster.client, Clock.systemUTC(), "replica-b").announce(everywhere);

    assertThat(cluster.eventsAbout("y", "uid-allow")).singleElement()
        .satisfies(event -> assertThat(event.getReportingInstance()).isEqualTo("replica-a"));
  }

  private static void report(String node, long policyVersion, Instant renewedAt) {
    cluster.client.resource(AgentLease.of(MockCluster.LEASE_NAMESPACE, node,
        ImmutableSortedMap.of("NetworkPolicy", policyVersion), renewedAt,
        Duration.ofSeconds(30))).createOr(existing -> existing.update());
  }

  private static List<Event> enforcedEvents(NetworkPolicy policy) {
    return cluster.eventsAbout("x", policy.getMetadata().getUid()).stream()
        .filter(event -> EnforcedEvents.REASON.equals(event.getReason())).toList();
  }

  private static double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private static double enforcedNodes(String namespace, String policy) {
    Gauge gauge = registry.get("palisade_policy_enforced_nodes")
        .tags("namespace", namespace, "policy", policy).gauge();
    return gauge.value();
  }
}
