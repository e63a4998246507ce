package dev.palisade.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoints on one port: {@code /healthz} (the process serves),
 * {@code /readyz} (the first full sync succeeded), {@code /metrics} (Prometheus text) and
 * {@code /status} (JSON: node, enforced resource versions). The JDK's server is enough for
 * four GET endpoints; no framework is pulled in for them.
 */
final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  HealthServer(InetSocketAddress address, BooleanSupplier ready, Supplier<String> metrics,
      Supplier<String> statusJson) throws IOException {
    server = HttpServer.create(address, 16);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", exchange -> {
      boolean isReady = ready.getAsBoolean();
      respond(exchange, isReady ? 200 : 503, "text/plain",
          isReady ? "ready\n" : "not ready: the first sync has not succeeded yet\n");
    });
    server.createContext("/metrics", exchange -> respond(exchange, 200,
        "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.createContext("/status", exchange -> respond(exchange, 200, "application/json",
        statusJson.get()));
    server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "palisade-http");
      thread.setDaemon(true);
      return thread;
    }));
    server.start();
  }

  /** The bound port (useful when asked for port 0). */
  int port() {
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
  }
}
