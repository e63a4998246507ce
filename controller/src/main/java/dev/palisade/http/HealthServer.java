package dev.palisade.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The HTTP endpoints of the agent and the controller on one port: {@code /healthz} (the
 * process serves), {@code /readyz} (the component says it is ready), {@code /metrics}
 * (Prometheus text) and any JSON endpoints the component adds (the agent's {@code /status}).
 * A handful of GET endpoints need no framework: the JDK's server with one daemon thread.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * Starts serving.
   *
   * @param notReady what {@code /readyz} answers (with 503) while {@code ready} is false
   * @param json further endpoints, by path, answering JSON
   */
  public HealthServer(InetSocketAddress address, String threadName, BooleanSupplier ready,
      String notReady, Supplier<String> prometheusText, Map<String, Supplier<String>> json)
      throws IOException {
    server = HttpServer.create(address, 16);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", exchange -> {
      boolean isReady = ready.getAsBoolean();
      respond(exchange, isReady ? 200 : 503, "text/plain",
          isReady ? "ready\n" : "not ready: " + notReady + "\n");
    });
    server.createContext("/metrics", exchange -> respond(exchange, 200,
        "text/plain; version=0.0.4; charset=utf-8", prometheusText.get()));
    json.forEach((path, body) -> server.createContext(path,
        exchange -> respond(exchange, 200, "application/json", body.get())));
    executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
  }

  /** The bound port (useful when asked for port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String contentType,
      String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
