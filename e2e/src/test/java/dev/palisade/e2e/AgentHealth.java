package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The health port of an agent of an {@link E2eCluster}: the harness starts the agents on a free
 * port each, which the agent names in its log ({@code target/e2e-logs/NAME/agent-node-N.log}).
 */
final class AgentHealth {
  private static final Pattern HEALTH_PORT =
      Pattern.compile("serving health and metrics on port (\\d+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private AgentHealth() {}

  /** The port the agent of node {@code node} (1, 2, ...) serves on now (its last start's). */
  static int port(String cluster, int node) {
    Path log = Path.of("target", "e2e-logs", cluster, "agent-node-" + node + ".log");
    String found = null;
    try {
      Matcher port = HEALTH_PORT.matcher(Files.readString(log));
      while (port.find()) {
        found = port.group(1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(found).as("the health port in %s", log).isNotNull();
    return Integer.parseInt(found);
  }

  /** GET of a path (with its query) on loopback at that port. */
  static HttpResponse<String> get(int port, String pathAndQuery) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted asking 127.0.0.1:" + port + pathAndQuery, e);
    }
  }
}
