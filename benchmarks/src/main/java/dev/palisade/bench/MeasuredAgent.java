package dev.palisade.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One agent process under measurement: the shipped jar's {@code agent} command with the JVM's
 * default options (as the chart runs it), its health port on loopback, its log in a file. The
 * benchmark reads it only from outside, as an operator would: the log and {@code /metrics}.
 *
 * <p>The agent dies with the benchmark: its standard input is a pipe this JVM never writes, and
 * {@code --exit-when-stdin-closes} stops it when the kernel closes that pipe, whatever way this
 * JVM ends. {@link #close} stops it by its own process handle.
 */
final class MeasuredAgent implements AutoCloseable {
  private static final String MAIN_CLASS = "dev.palisade.cli.Main";
  private static final Duration POLL = Duration.ofMillis(5);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(1)).build();

  private final Process process;
  private final Path log;
  private final int healthPort;

  private MeasuredAgent(Process process, Path log, int healthPort) {
    this.process = process;
    this.log = log;
    this.healthPort = healthPort;
  }

  /**
   * Starts {@code palisade agent} in a JVM with these options (the chart's) and with these
   * agent options (node, netns, kubeconfig, ...).
   */
  static MeasuredAgent start(Path jar, List<String> jvmOptions, List<String> options, Path log)
      throws IOException {
    int port = freeLoopbackPort();
    List<String> command = new ArrayList<>(List.of(javaBinary()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", jar.toString(), MAIN_CLASS, "agent",
        "--exit-when-stdin-closes", "--health-address=127.0.0.1", "--health-port=" + port));
    command.addAll(options);
    Files.deleteIfExists(log);
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    return new MeasuredAgent(process, log, port);
  }

  /** Whether {@code palisade agent --help} of this jar lists an option. */
  static boolean supportsOption(Path jar, String option) throws IOException {
    Process help = new ProcessBuilder(javaBinary(), "-cp", jar.toString(), MAIN_CLASS, "agent",
        "--help").redirectErrorStream(true).start();
    String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return text.contains(option);
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the agent's log " + log, e);
    }
  }

  /** Waits until {@code reading} finds something in the log. */
  <T> T awaitLog(Function<String, Optional<T>> reading, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> found = reading.apply(log());
      if (found.isPresent()) {
        return found.get();
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("the agent exited (" + process.exitValue()
            + "); its log: " + log);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the agent's log did not show what was awaited within "
            + timeout.toSeconds() + " s; its log: " + log);
      }
      sleep(Duration.ofMillis(50));
    }
  }

  Scrape scrape() {
    return scrape("");
  }

  /** @param query "" for every metric, else {@code ?name[]=family} */
  private Scrape scrape(String query) {
    HttpRequest request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + healthPort + "/metrics" + query))
        .timeout(Duration.ofSeconds(5)).GET().build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("the agent's /metrics answered "
            + response.statusCode());
      }
      return new Scrape(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scrape the agent's /metrics", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scraping the agent", e);
    }
  }

  /**
   * Waits until the sample {@code name} reaches {@code atLeast}; returns that scrape, of the
   * sample's metric family only. Polled every 5 ms, for that family only: the agent renders
   * one histogram per poll instead of all its metrics (a full scrape per poll took about a
   * fifth of the CPU the agent's syncs took in the pod phases, on the same two cores).
   */
  Scrape awaitMetric(String name, double atLeast, Duration timeout) {
    return awaitMetric(name, atLeast, timeout, Duration.ZERO);
  }

  /**
   * {@link #awaitMetric(String, double, Duration)}, its first poll only after {@code quiet}:
   * a poll is a request the agent serves on its HTTP thread, beside the sync it is measuring,
   * on the same two cores; one right at the event's receipt lands in the sync.
   */
  Scrape awaitMetric(String name, double atLeast, Duration timeout, Duration quiet) {
    String family = name.replaceFirst("_(count|sum|bucket|total)$", "");
    String query = "?name[]=" + URLEncoder.encode(family, StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + timeout.toNanos();
    sleep(quiet);
    while (true) {
      Scrape scrape = scrape(query);
      if (scrape.value(name) >= atLeast) {
        return scrape;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " stayed below " + atLeast + " for "
            + timeout.toSeconds() + " s (now " + scrape.value(name) + "); the agent's log: "
            + log);
      }
      sleep(POLL);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the agent", e);
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
