package dev.palisade.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final HttpClient web = HttpClient.newHttpClient();

  @Test
  void livenessAndReadinessFollowTheComponentAndMetricsAndJsonAreServedOnRequest()
      throws Exception {
    AtomicBoolean ready = new AtomicBoolean();
    AtomicReference<Optional<String>> notLive = new AtomicReference<>(Optional.empty());
    try (var server = new HealthServer(new InetSocketAddress("127.0.0.1", 0), "test-http",
        notLive::get, HealthServer.Check.of(ready::get, "the first sync has not succeeded yet"),
        names -> names.isEmpty() ? "palisade_policies 4.0\npalisade_syncs 2.0\n"
            : "only " + names + "\n", Map.of("/status", () -> "{\"ready\":false}\n"))) {
      assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
      notLive.set(Optional.of("the sync loop died"));
      HttpResponse<String> dead = get(server, "/healthz");
      assertThat(dead.statusCode()).isEqualTo(503);
      assertThat(dead.body()).isEqualTo("not live: the sync loop died\n");
      HttpResponse<String> notReady = get(server, "/readyz");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).contains("the first sync has not succeeded yet");

      ready.set(true);

      assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = get(server, "/metrics");
      assertThat(metrics.body()).isEqualTo("palisade_policies 4.0\npalisade_syncs 2.0\n");
      assertThat(get(server, "/metrics?name%5B%5D=palisade_syncs&name[]=palisade_policies&x=y")
          .body()).as("the families named").isEqualTo("only [palisade_syncs, "
              + "palisade_policies]\n");
      assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      HttpResponse<String> status = get(server, "/status");
      assertThat(status.body()).isEqualTo("{\"ready\":false}\n");
      assertThat(status.headers().firstValue("Content-Type")).hasValue("application/json");
    }
  }

  /**
   * A client that polls one figure (the scale benchmark, many times a second) asks for its
   * family only, and the agent renders no other.
   */
  @Test
  void aRegistrysMetricsAreLimitedToTheNamedFamilies() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("palisade.syncs").increment();
    Timer.builder("palisade.enforcement.delay").publishPercentileHistogram().register(registry)
        .record(Duration.ofMillis(3));
    try (var server = new HealthServer(new InetSocketAddress("127.0.0.1", 0), "test-http",
        HealthServer.Check.serving(), HealthServer.Check.serving(),
        HealthServer.Metrics.of(registry), Map.of())) {
      assertThat(get(server, "/metrics").body()).contains("palisade_syncs_total 1.0",
          "palisade_enforcement_delay_seconds_count 1");
      assertThat(get(server, "/metrics?name[]=palisade_enforcement_delay_seconds").body())
          .contains("palisade_enforcement_delay_seconds_count 1")
          .doesNotContain("palisade_syncs");
    }
  }

  @Test
  void aQueryEndpointAnswersOnItsOwnThreadSoThatASlowAnswerDoesNotHoldUpHealthz()
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (var server = new HealthServer(new InetSocketAddress("127.0.0.1", 0), "test-http",
        HealthServer.Check.serving(), HealthServer.Check.serving(), names -> "", Map.of())) {
      server.serve("/slow", uri -> {
        await(release);
        return HealthServer.Answer.of(200, Map.of("query", uri.getRawQuery()));
      });
      server.serve("/broken", uri -> {
        throw new IllegalStateException("a \"bug\"");
      });
      CompletableFuture<HttpResponse<String>> slow = web.sendAsync(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/slow?a=b")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(get(server, "/healthz").statusCode()).as("while /slow waits").isEqualTo(200);
      release.countDown();
      assertThat(slow.get(10, TimeUnit.SECONDS).body()).isEqualTo("{\"query\":\"a=b\"}\n");

      HttpResponse<String> broken = get(server, "/broken");
      assertThat(broken.statusCode()).isEqualTo(500);
      assertThat(broken.body()).isEqualTo("{\"error\":\"internal error: "
          + "java.lang.IllegalStateException: a \\\"bug\\\"\"}\n");
      HttpResponse<String> posted = web.send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + server.port() + "/slow")).POST(
              HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).isEqualTo(405);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private HttpResponse<String> get(HealthServer server, String path) throws Exception {
    return web.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
