package dev.palisade.controller;

import dev.palisade.testing.Eventually;
import dev.palisade.http.HealthServer;

import static dev.palisade.controller.ClusterObjects.denyIngress;
import static dev.palisade.controller.ClusterObjects.namespace;
import static dev.palisade.controller.ClusterObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The health port: liveness, readiness and gauges that follow the cluster. */
class ControllerEndpointsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static MockCluster cluster;
  private static PalisadeController controller;
  private static HealthServer http;
  private static final HttpClient web = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    cluster = new MockCluster();
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    controller = cluster.startController("replica-1", registry);
    http = new HealthServer(new InetSocketAddress("127.0.0.1", 0), "test-http",
        HealthServer.Check.serving(),
        HealthServer.Check.of(controller::isReady, "informers not started"),
        HealthServer.Metrics.of(registry),
        Map.of());
  }

  @AfterAll
  static void stop() {
    http.close();
    controller.close();
    cluster.close();
  }

  @Test
  void healthAndReadiness() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    Eventually.within(TIMEOUT, () -> assertThat(get("/readyz").statusCode()).isEqualTo(200));
  }

  @Test
  void gaugesFollowTheCluster() throws Exception {
    cluster.client.resource(namespace("m")).create();
    cluster.client.resource(pod("m", "a", "10.0.9.1", "pod", "a")).create();
    cluster.client.resource(pod("m", "b", "10.0.9.2", "pod", "b")).create();
    cluster.client.resource(pod("m", "c", "10.0.9.3", "pod", "c")).create();
    cluster.create(denyIngress("m", "ingress-a", "pod", "a"));
    cluster.create(egressOnly("m", "egress-b", "pod", "b"));
    NetworkPolicy nobody = cluster.create(denyIngress("m", "nobody", "pod", "z"));

    Eventually.within(TIMEOUT, () -> {
      String metrics = get("/metrics").body();
      assertThat(value(metrics, "palisade_controller_policies")).isEqualTo(3);
      assertThat(value(metrics, "palisade_controller_selected_pods")).isEqualTo(2);
      assertThat(value(metrics, "palisade_controller_pods_isolated_ingress")).isEqualTo(1);
      assertThat(value(metrics, "palisade_controller_pods_isolated_egress")).isEqualTo(1);
      assertThat(value(metrics, "palisade_controller_findings{code=\"PAL001\"}")).isEqualTo(1);
    });

    cluster.client.resource(nobody).delete();

    Eventually.within(TIMEOUT, () -> {
      String metrics = get("/metrics").body();
      assertThat(value(metrics, "palisade_controller_policies")).isEqualTo(2);
      assertThat(value(metrics, "palisade_controller_findings{code=\"PAL001\"}")).isEqualTo(0);
    });
  }

  private static NetworkPolicy egressOnly(String namespace, String name, String key,
      String value) {
    return new NetworkPolicyBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withNewSpec()
          .withNewPodSelector().withMatchLabels(Map.of(key, value)).endPodSelector()
          .withPolicyTypes("Egress")
        .endSpec()
        .build();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return web.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + http.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of one series in Prometheus text, e.g. {@code name{code="PAL001"} 1.0}. */
  private static double value(String metrics, String series) {
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
    if (!line.find()) {
      throw new AssertionError("no series " + series + " in\n" + metrics);
    }
    return Double.parseDouble(line.group(1));
  }
}
