package dev.palisade.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.dataplane.lab.ResidentMemory;
import dev.palisade.demo.AgentProcess;
import dev.palisade.demo.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The resident memory of the real agent process (the shipped jar, with the chart's JVM options)
 * that watches a synthetic cluster ({@link SyntheticCluster}, written as a real API server
 * serves it: {@link SyntheticManifests}; preloaded, see {@link EmbeddedApiServer#preload}) on the
 * embedded API server and programs an empty node
 * network namespace: VmRSS and VmHWM from /proc/PID/status after the first complete sync and
 * after a steady state. The API server runs in this process, not in the agent's.
 *
 * <p>Run (root: the node is a network namespace; the jar first: {@code mvn -pl controller -am
 * package -DskipTests}):
 * {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar
 * dev.palisade.bench.AgentMemoryMeasurement [--histogram] 10000 50000}.
 */
public final class AgentMemoryMeasurement {
  /** The chart whose agent options are measured, relative to the repository. */
  static final Path CHART_VALUES = Path.of("helm/palisade/values.yaml");
  static final Path SHIPPED_JAR = Path.of("controller/target/palisade.jar");
  private static final Duration FIRST_SYNC_TIMEOUT = Duration.ofMinutes(10);

  /** What to measure with. */
  public record Settings(Path jar, List<String> jvmOptions, Duration steadyState,
      boolean histogram) {
    /** The shipped jar with the chart's options, 30 s of steady state, no histogram. */
    public static Settings chart(Path repository) {
      return new Settings(repository.resolve(SHIPPED_JAR),
          chartJvmOptions(repository.resolve(CHART_VALUES)), Duration.ofSeconds(30), false);
    }

    public Settings withSteadyState(Duration duration) {
      return new Settings(jar, jvmOptions, duration, histogram);
    }

    /** Other options than the chart's, to compare. */
    public Settings withJvmOptions(List<String> options) {
      return new Settings(jar, List.copyOf(options), steadyState, histogram);
    }

    public Settings withHistogram() {
      return new Settings(jar, jvmOptions, steadyState, true);
    }
  }

  /**
   * One measurement.
   *
   * @param nodePods the pods on the measured node
   * @param firstSync process start to the first sync that enforces everything written
   * @param histogram the top of {@code jcmd GC.class_histogram} after the steady state, or ""
   * @param loadBefore /proc/loadavg before the agent started
   * @param loadAfter /proc/loadavg after the steady state
   */
  public record Result(ClusterSize size, int nodePods, List<String> jvmOptions,
      Duration firstSync, long rssAtFirstSyncKib, long peakAtFirstSyncKib, Duration steadyState,
      long rssSteadyKib, long peakSteadyKib, String histogram, String loadBefore,
      String loadAfter) {

    public static String tableHeader() {
      return "| Pods | Policies | Namespaces | Pods on the node | First complete sync (s) "
          + "| RSS at first sync (MiB) | Peak RSS at first sync (MiB) | RSS after steady state "
          + "(MiB) | Peak RSS after steady state (MiB) | Load average before / after |\n"
          + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";
    }

    public String tableRow() {
      return String.format("| %,d | %,d | %d | %d | %.1f | %d | %d | %d (%d s) | %d | %s / %s |",
          size.pods(), size.policies(), size.namespaces(), nodePods,
          firstSync.toMillis() / 1000.0, rssAtFirstSyncKib / 1024, peakAtFirstSyncKib / 1024,
          rssSteadyKib / 1024, steadyState.toSeconds(), peakSteadyKib / 1024, loadBefore,
          loadAfter);
    }
  }

  private AgentMemoryMeasurement() {}

  /** The target cluster shape (100 namespaces, 1,000 policies) at {@code pods} pods. */
  public static Result measure(int pods, Settings settings) throws Exception {
    return measure(ClusterSize.of(100, pods, 1_000), settings);
  }

  public static Result measure(ClusterSize size, Settings settings) throws Exception {
    NetnsCluster.requireRootAndTools();
    SyntheticCluster cluster = SyntheticCluster.generate(size, SyntheticCluster.BENCHMARK_SEED);
    String node = cluster.pods().get(0).nodeName();
    int nodePods = (int) cluster.pods().stream().filter(pod -> node.equals(pod.nodeName()))
        .count();
    Path work = Files.createTempDirectory("palisade-memory-");
    try (EmbeddedApiServer api = EmbeddedApiServer.start();
        NetnsCluster lab = NetnsCluster.start("palmem", 1)) {
      List<HasMetadata> objects = new ArrayList<>();
      cluster.namespaces().forEach(namespace -> objects.add(
          SyntheticManifests.namespace(namespace)));
      cluster.pods().forEach(pod -> objects.add(SyntheticManifests.pod(pod)));
      cluster.policies().forEach(policy -> objects.add(
          SyntheticManifests.networkPolicy(policy)));
      api.preload(objects);
      Map<String, Long> written = new HashMap<>();
      objects.forEach(object -> written.merge(object.getKind(),
          Long.parseLong(object.getMetadata().getResourceVersion()), Math::max));
      objects.clear();
      String loadBefore = loadAverage();
      long started = System.nanoTime();
      try (AgentProcess agent = AgentProcess.start(settings.jar().toString(),
          settings.jvmOptions(), node, lab.nodeNamespace(1), api.agentKubeconfig(work),
          work.resolve("agent.log"), List.of())) {
        awaitEnforced(agent, written);
        Duration firstSync = Duration.ofNanos(System.nanoTime() - started);
        ResidentMemory atFirstSync = ResidentMemory.of(agent.pid());
        TimeUnit.MILLISECONDS.sleep(settings.steadyState().toMillis());
        ResidentMemory steady = ResidentMemory.of(agent.pid());
        String histogram = settings.histogram() ? histogram(agent.pid()) : "";
        agent.stop();
        deleteWorkDirectory(work);
        return new Result(size, nodePods, settings.jvmOptions(), firstSync,
            atFirstSync.rssKib(), atFirstSync.peakKib(), settings.steadyState(), steady.rssKib(),
            steady.peakKib(), histogram,
            loadBefore, loadAverage());
      } catch (RuntimeException e) {
        throw new IllegalStateException("measuring " + size + " failed; the agent's log: "
            + work.resolve("agent.log"), e);
      }
    }
  }

  private static void awaitEnforced(AgentProcess agent, Map<String, Long> written)
      throws InterruptedException {
    long deadline = System.nanoTime() + FIRST_SYNC_TIMEOUT.toNanos();
    while (!agent.enforces(written)) {
      if (!agent.isAlive()) {
        throw new IllegalStateException("the agent exited before its first complete sync");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no complete sync within " + FIRST_SYNC_TIMEOUT);
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** The kubeconfig and the agent's log of a successful run (a failed one keeps them). */
  private static void deleteWorkDirectory(Path work) throws IOException {
    try (var files = Files.list(work)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(work);
  }

  /** The 1, 5 and 15 minute load averages. */
  private static String loadAverage() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }

  /** The classes that hold the most heap (jcmd forces a full collection first). */
  private static String histogram(long pid) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid),
        "GC.class_histogram").redirectErrorStream(true).start();
    List<String> lines = new String(process.getInputStream().readAllBytes()).lines().toList();
    process.waitFor(1, TimeUnit.MINUTES);
    return String.join("\n", lines.subList(0, Math.min(lines.size(), 25))) + "\n"
        + (lines.isEmpty() ? "" : lines.get(lines.size() - 1));
  }

  /** The agent's JVM options from the chart's values ({@code agent.jvmOptions}). */
  static List<String> chartJvmOptions(Path values) {
    try {
      JsonNode options = new YAMLMapper().readTree(values.toFile()).path("agent")
          .path("jvmOptions");
      if (!options.isArray() || options.isEmpty()) {
        throw new IllegalArgumentException(values + " has no agent.jvmOptions list");
      }
      List<String> list = new ArrayList<>();
      options.forEach(option -> list.add(option.asText()));
      return List.copyOf(list);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + values, e);
    }
  }

  /**
   * Arguments: pod counts (default 10000 50000); {@code --histogram} adds the heap's top
   * classes after each steady state; {@code "--jvm=-Xmx1g -XX:+UseG1GC"} replaces the chart's
   * JVM options (to compare). Run from the repository's root.
   */
  public static void main(String[] args) throws Exception {
    Settings settings = Settings.chart(Path.of(""));
    List<Integer> sizes = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("--histogram")) {
        settings = settings.withHistogram();
      } else if (arg.startsWith("--jvm=")) {
        settings = settings.withJvmOptions(List.of(arg.substring("--jvm=".length()).split(" ")));
      } else {
        sizes.add(Integer.parseInt(arg));
      }
    }
    if (sizes.isEmpty()) {
      sizes = List.of(10_000, 50_000);
    }
    List<Result> results = new ArrayList<>();
    for (int pods : sizes) {
      Result result = measure(pods, settings);
      results.add(result);
      System.out.println(result.tableRow());
      if (!result.histogram().isEmpty()) {
        System.out.println(result.histogram());
      }
    }
    System.out.println();
    System.out.println("JVM options: " + String.join(" ", settings.jvmOptions()));
    System.out.println(Result.tableHeader());
    results.forEach(result -> System.out.println(result.tableRow()));
  }
}
