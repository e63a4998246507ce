package dev.palisade.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ControllerHttpServerTest {
  private final HttpClient web = HttpClient.newHttpClient();

  @Test
  void readinessFollowsTheControllerAndMetricsAreScrapedOnRequest() throws Exception {
    AtomicBoolean ready = new AtomicBoolean();
    try (var server = new ControllerHttpServer(new InetSocketAddress("127.0.0.1", 0),
        ready::get, () -> "palisade_controller_policies 4.0\n")) {
      assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(server, "/readyz").statusCode()).isEqualTo(503);

      ready.set(true);

      assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = get(server, "/metrics");
      assertThat(metrics.body()).isEqualTo("palisade_controller_policies 4.0\n");
      assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
    }
  }

  private HttpResponse<String> get(ControllerHttpServer server, String path) throws Exception {
    return web.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
