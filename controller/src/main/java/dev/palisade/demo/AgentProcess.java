package dev.palisade.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One real agent process (the shipped jar's {@code agent} command) programming one node's
 * network namespace. Started and stopped by its own process id; its log goes to a file.
 */
public final class AgentProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(1)).build();

  private final String node;
  private final List<String> command;
  private final Path log;
  private final int healthPort;
  private Process process;

  private AgentProcess(String node, List<String> command, Path log, int healthPort) {
    this.node = node;
    this.command = command;
    this.log = log;
    this.healthPort = healthPort;
  }

  /**
   * Starts {@code java -cp <classpath> dev.palisade.cli.Main agent ...} for a node.
   *
   * @param classpath the shipped jar (or, in a build, the module classpath)
   * @param extraOptions further agent options, e.g. {@code --deny-action=REJECT}
   */
  public static AgentProcess start(String classpath, String node, String netns, Path kubeconfig,
      Path log, List<String> extraOptions) {
    int port = freeLoopbackPort();
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xss512k", "-Xmx256m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
        "dev.palisade.cli.Main", "agent",
        "--node-name=" + node, "--netns=" + netns, "--kubeconfig=" + kubeconfig,
        "--health-address=127.0.0.1", "--health-port=" + port));
    command.addAll(extraOptions);
    AgentProcess agent = new AgentProcess(node, List.copyOf(command), log, port);
    agent.launch();
    return agent;
  }

  private void launch() {
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the agent for " + node, e);
    }
  }

  public String node() {
    return node;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The agent's /status, empty while it does not answer (starting, stopped). */
  public Optional<JsonNode> status() {
    HttpRequest request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + healthPort + "/status"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(JSON.readTree(response.body()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Whether the agent enforces, per kind, at least these resource versions. */
  public boolean enforces(Map<String, Long> versions) {
    Optional<JsonNode> status = status();
    if (status.isEmpty() || !status.get().path("ready").asBoolean()) {
      return false;
    }
    JsonNode enforced = status.get().path("enforcedResourceVersions");
    return versions.entrySet().stream()
        .allMatch(want -> enforced.path(want.getKey()).asLong(-1) >= want.getValue());
  }

  /** Stops the agent (SIGTERM, then SIGKILL after the grace period); the kernel is left as is. */
  public void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Stops and starts the same command again (an agent restart). */
  public void restart() {
    stop();
    launch();
  }

  @Override
  public void close() {
    stop();
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
