package dev.palisade.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The HTTP endpoints of the agent and the controller on one port: {@code /healthz} (the
 * component says it is live), {@code /readyz} (the component says it is ready), {@code /metrics}
 * (Prometheus text; {@code ?name[]=family} repeated limits it to those metric families, as the
 * Prometheus client's own server does) and any JSON endpoints the component adds (the agent's
 * {@code /status}, and its {@code /explain}, which reads a query).
 * A handful of GET endpoints need no framework: the JDK's server with one daemon thread.
 */
public final class HealthServer implements AutoCloseable {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** One probe of a component: empty when it passes, else why not (the 503 answer's body). */
  @FunctionalInterface
  public interface Check {
    Optional<String> problem();

    /** Passes while {@code passes} is true, else fails with {@code problem}. */
    static Check of(BooleanSupplier passes, String problem) {
      return () -> passes.getAsBoolean() ? Optional.empty() : Optional.of(problem);
    }

    /** A component whose serving is its liveness. */
    static Check serving() {
      return Optional::empty;
    }
  }

  /** The Prometheus text of the component's metrics, all of them or the named families only. */
  @FunctionalInterface
  public interface Metrics {
    /** @param names the metric families to include; empty for all */
    String scrape(Set<String> names);

    /** A Micrometer registry's metrics in the text format. */
    static Metrics of(PrometheusMeterRegistry registry) {
      return names -> names.isEmpty() ? registry.scrape()
          : registry.scrape(PROMETHEUS_TEXT, names);
    }
  }

  /** What a query endpoint answers: a status and a JSON body. */
  public record Answer(int status, String json) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {"error": message}. */
    public static Answer error(int status, String message) {
      return of(status, Map.of("error", message));
    }

    /** The value as JSON (maps, lists, strings, numbers, booleans), one line. */
    public static Answer of(int status, Object value) {
      try {
        return new Answer(status, JSON.writeValueAsString(value) + "\n");
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("not JSON: " + value, e);
      }
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  /**
   * Runs the query endpoints, so that a slow answer (one that waits for the agent's sync to let go
   * of its rule graph) never holds up {@code /healthz} and {@code /readyz} for the kubelet.
   */
  private final ExecutorService queries;

  /**
   * Starts serving.
   *
   * @param live what {@code /healthz} answers: 200 "ok", or 503 with the problem
   * @param ready what {@code /readyz} answers: 200 "ready", or 503 with the problem
   * @param json further endpoints, by path, answering JSON
   */
  public HealthServer(InetSocketAddress address, String threadName, Check live, Check ready,
      Metrics metrics, Map<String, Supplier<String>> json) throws IOException {
    server = HttpServer.create(address, 16);
    server.createContext("/healthz", exchange -> answer(exchange, live, "ok", "not live"));
    server.createContext("/readyz", exchange -> answer(exchange, ready, "ready", "not ready"));
    server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT,
        metrics.scrape(namesIn(exchange.getRequestURI().getRawQuery()))));
    json.forEach((path, body) -> server.createContext(path,
        exchange -> respond(exchange, 200, "application/json", body.get())));
    executor = Executors.newSingleThreadExecutor(daemon(threadName));
    queries = Executors.newSingleThreadExecutor(daemon(threadName + "-queries"));
    server.setExecutor(executor);
    server.start();
  }

  /**
   * Adds a GET endpoint that answers a request (its URI: path and query) with a status and
   * JSON, on a thread of its own (one request at a time); a thrown exception is a 500 naming
   * it.
   */
  public void serve(String path, Function<URI, Answer> handler) {
    server.createContext(path, exchange -> queries.execute(() -> {
      try {
        Answer answer;
        try {
          answer = "GET".equals(exchange.getRequestMethod())
              ? handler.apply(exchange.getRequestURI())
              : Answer.error(405, "only GET is served here");
        } catch (RuntimeException e) {
          answer = Answer.error(500, "internal error: " + e);
        }
        respond(exchange, answer.status(), "application/json", answer.json());
      } catch (IOException e) {
        // the client went away: nothing to answer
      } finally {
        exchange.close();
      }
    }));
  }

  /** The values of {@code name[]} in a query. */
  private static Set<String> namesIn(String rawQuery) {
    Set<String> names = new LinkedHashSet<>();
    for (String pair : rawQuery == null ? new String[0] : rawQuery.split("&")) {
      String[] parts = pair.split("=", 2);
      if (parts.length == 2 && URLDecoder.decode(parts[0], StandardCharsets.UTF_8)
          .equals("name[]")) {
        names.add(URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
      }
    }
    return names;
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The bound port (useful when asked for port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, Check check, String passed, String failed)
      throws IOException {
    Optional<String> problem = check.problem();
    respond(exchange, problem.isEmpty() ? 200 : 503, "text/plain",
        problem.map(why -> failed + ": " + why).orElse(passed) + "\n");
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
    queries.shutdownNow();
  }
}
