package dev.palisade.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
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
        () -> "palisade_policies 4.0\n", Map.of("/status", () -> "{\"ready\":false}\n"))) {
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
      assertThat(metrics.body()).isEqualTo("palisade_policies 4.0\n");
      assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      HttpResponse<String> status = get(server, "/status");
      assertThat(status.body()).isEqualTo("{\"ready\":false}\n");
      assertThat(status.headers().firstValue("Content-Type")).hasValue("application/json");
    }
  }

  private HttpResponse<String> get(HealthServer server, String path) throws Exception {
    return web.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
