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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One real agent process (the shipped jar's {@code agent} command) programming one node's
 * network namespace. Started and stopped by its own process id; its log goes to a file.
 *
 * <p>An agent dies with the JVM that started it: its standard input is a pipe this JVM never
 * writes to, and {@code --exit-when-stdin-closes} makes it stop when the pipe closes, which the
 * kernel does when this JVM exits in any way, SIGKILL included. Its command line carries {@link
 * #OWNER_MARKER} with this JVM's pid, so that a later demo can recognise an agent whose starter
 * is gone (one from a build without the stdin watch, or one that hangs) and stop it: {@link
 * #stopOrphans()}.
 */
public final class AgentProcess implements AutoCloseable {
  /** A system property on every demo agent's command line: {@code <marker><owner pid>}. */
  static final String OWNER_MARKER = "-Dpalisade.demo.agent.owner=";
  private static final String MAIN_CLASS = "dev.palisade.cli.Main";
  /** Small demo agents that start fast: several share one machine. */
  private static final List<String> DEMO_JVM_OPTIONS = List.of("-Xss512k", "-Xmx256m",
      "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

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
    return start(classpath, DEMO_JVM_OPTIONS, node, netns, kubeconfig, log, extraOptions);
  }

  /**
   * Starts {@code java JVM-OPTIONS -cp <classpath> dev.palisade.cli.Main agent ...} for a node.
   *
   * @param jvmOptions e.g. the chart's ({@code agent.jvmOptions} in the chart's values)
   */
  public static AgentProcess start(String classpath, List<String> jvmOptions, String node,
      String netns, Path kubeconfig, Path log, List<String> extraOptions) {
    int port = freeLoopbackPort();
    List<String> command = new ArrayList<>(List.of(javaBinary(),
        OWNER_MARKER + ProcessHandle.current().pid()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, MAIN_CLASS, "agent",
        "--exit-when-stdin-closes", "--node-name=" + node, "--netns=" + netns,
        "--kubeconfig=" + kubeconfig, "--health-address=127.0.0.1", "--health-port=" + port));
    command.addAll(extraOptions);
    AgentProcess agent = new AgentProcess(node, List.copyOf(command), log, port);
    agent.launch();
    return agent;
  }

  void launch() {
    try {
      // standard input stays the default pipe, never written: it closes when this JVM exits
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

  /** The agent's process id (read /proc/PID/status for its memory). */
  public long pid() {
    return process.pid();
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

  @Override
  public void close() {
    stop();
  }

  /**
   * Stops demo agents whose starting JVM is gone; returns how many. A process counts only when
   * its command line is a demo agent's ({@link #isOrphan}): every other process is left alone,
   * and so are the agents of demos that still run.
   */
  public static int stopOrphans() {
    List<ProcessHandle> orphans = ProcessHandle.allProcesses()
        .filter(process -> isOrphan(commandLine(process), process.parent().map(ProcessHandle::pid)))
        .toList();
    orphans.forEach(ProcessHandle::destroy);
    for (ProcessHandle orphan : orphans) {
      try {
        orphan.onExit().get(10, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        orphan.destroyForcibly();
      } catch (ExecutionException e) {
        throw new IllegalStateException("waiting for orphan agent " + orphan.pid(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while stopping orphan agents", e);
      }
    }
    return orphans.size();
  }

  /**
   * A process's command line, empty when it cannot be read (gone, another user's). Read from
   * {@code /proc} because {@link ProcessHandle.Info#arguments()} gives up on long command lines,
   * and an agent's classpath in a build is long.
   */
  static List<String> commandLine(ProcessHandle process) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
      return raw.length == 0 ? List.of()
          : List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Whether a process with these arguments and this parent is a demo agent whose starter is
   * gone: it runs Palisade's main class with the {@code agent} command and carries {@link
   * #OWNER_MARKER}, and the owner named there is no longer its parent (an orphan is re-parented
   * to init or a subreaper; a new process that reuses the owner's pid is not its parent either).
   */
  static boolean isOrphan(List<String> arguments, Optional<Long> parent) {
    int main = arguments.indexOf(MAIN_CLASS);
    if (main < 0 || main + 1 >= arguments.size() || !arguments.get(main + 1).equals("agent")) {
      return false;
    }
    return arguments.subList(0, main).stream()
        .filter(argument -> argument.startsWith(OWNER_MARKER))
        .map(argument -> argument.substring(OWNER_MARKER.length()))
        .filter(owner -> owner.matches("\\d{1,19}"))
        .anyMatch(owner -> !parent.equals(Optional.of(Long.parseLong(owner))));
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
