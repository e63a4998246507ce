package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.RuleGraph;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** Informer events into the graph, without a server: what the feed makes of each object. */
class ModelFeedTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectRef WEB = ObjectRef.of("x", "web");

  private final RuleGraph graph = new RuleGraph();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final EnforcementTracker tracker = new EnforcementTracker();
  private final ModelFeed feed = new ModelFeed(graph, new ModelConverter(), tracker,
      new AgentMetrics(registry, new GraphCompleteness(), tracker), () -> { },
      Ticker.systemTicker());

  @Test
  void anEventWaitsForTheSyncThreadToTakeItIntoTheGraph() {
    ModelFeed.Handler<Pod> pods = feed.pods();
    pods.onAdd(pod("web", "10.0.1.10"));

    assertThat(graph.pod(WEB)).as("informer threads never touch the graph").isEmpty();
    assertThat(pods.takenIn()).isEmpty();

    assertThat(feed.takeIn().pods()).containsExactly(WEB);
    assertThat(graph.pod(WEB)).isPresent();
    assertThat(pods.takenIn()).containsEntry("x/web", "1");
    assertThat(feed.takeIn().isEmpty()).isTrue();
  }

  @Test
  void aPolicyTheConverterRefusesIsolatesThePodsItSelectsAndAllowsNothing() {
    feed.pods().onAdd(pod("web", "10.0.1.10"));
    NetworkPolicy leadingZero = policy("1", "010.1.0.0/16");
    ModelFeed.Handler<NetworkPolicy> policies = feed.policies();

    policies.onAdd(leadingZero);
    feed.takeIn();

    assertThat(graph.isIsolated(WEB, Direction.INGRESS)).isTrue();
    assertThat(graph.isIsolated(WEB, Direction.EGRESS)).isFalse();
    assertThat(graph.policy(ObjectRef.of("x", "from-office")).orElseThrow().ingress()).isEmpty();
    assertThat(policies.takenIn()).containsEntry("x/from-office", "1");
    assertThat(registry.scrape())
        .contains("palisade_policies_fail_closed 1.0")
        .contains("palisade_invalid_objects_total{kind=\"NetworkPolicy\"} 1.0");

    policies.onUpdate(leadingZero, policy("2", "10.1.0.0/16"));
    feed.takeIn();

    assertThat(graph.policy(ObjectRef.of("x", "from-office")).orElseThrow().ingress())
        .hasSize(1);
    assertThat(registry.scrape()).contains("palisade_policies_fail_closed 0.0");
  }

  private static Pod pod(String name, String ip) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("x")
        .addToLabels("app", name).withResourceVersion("1").endMetadata()
        .withNewSpec().withNodeName("node-1").endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
  }

  private static NetworkPolicy policy(String resourceVersion, String cidr) {
    return SERIALIZATION.unmarshal("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: from-office, namespace: x, resourceVersion: "%s"}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress: [{from: [{ipBlock: {cidr: %s}}]}]
        """.formatted(resourceVersion, cidr), NetworkPolicy.class);
  }
}
