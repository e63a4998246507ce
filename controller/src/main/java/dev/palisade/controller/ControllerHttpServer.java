package dev.palisade.controller;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The controller's HTTP endpoints on its health port: {@code /healthz} (the process serves),
 * {@code /readyz} (informers started and healthy), {@code /metrics} (Prometheus text). Three GET
 * endpoints need no framework: the JDK's server with one daemon thread.
 */
public final class ControllerHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  public ControllerHttpServer(InetSocketAddress address, BooleanSupplier ready,
      Supplier<String> prometheusText) throws IOException {
    server = HttpServer.create(address, 16);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", exchange -> {
      boolean isReady = ready.getAsBoolean();
      respond(exchange, isReady ? 200 : 503, "text/plain",
          isReady ? "ready\n" : "not ready: informers not started or not synced\n");
    });
    server.createContext("/metrics", exchange -> respond(exchange, 200,
        "text/plain; version=0.0.4; charset=utf-8", prometheusText.get()));
    executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "palisade-controller-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
  }

  /** The bound port (tests ask for port 0). */
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
