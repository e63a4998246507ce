package dev.palisade.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final HttpClient web = HttpClient.newHttpClient();

  @Test
  void readinessFollowsTheComponentAndMetricsAndJsonAreServedOnRequest() throws Exception {
    AtomicBoolean ready = new AtomicBoolean();
    try (var server = new HealthServer(new InetSocketAddress("127.0.0.1", 0), "test-http",
        ready::get, "the first sync has not succeeded yet",
        () -> "palisade_policies 4.0\n", Map.of("/status", () -> "{\"ready\":false}\n"))) {
      assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
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
