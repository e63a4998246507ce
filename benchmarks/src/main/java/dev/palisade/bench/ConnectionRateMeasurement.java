package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;
import dev.palisade.bench.RuleCounters.RuleKey;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.walk.PacketWalker;
import dev.palisade.dataplane.walk.PacketWalker.Packet;
import dev.palisade.dataplane.walk.PacketWalker.Trace;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * New TCP connections per second between two pod namespaces through a node namespace, with the
 * node's share of a synthetic cluster's policies loaded by the real {@link
 * dev.palisade.dataplane.kernel.KernelWriter} and with no Palisade rules at all (after
 * {@code KernelWriter.cleanup}), in interleaved rounds of a fixed duration (issue 10: ratio
 * ≥ 0.9). A third kind of round keeps conntrack on without any rule of ours, as kube-proxy
 * does on every node: it separates what Palisade's rules cost from what tracking costs.
 *
 * <p>The two pods are pods of that cluster on the measured node, wired with their own
 * addresses, and the connection is one the policies allow because a policy selecting the
 * server allows it ({@link AllowedConnection}), so with rules loaded the first packet of each
 * connection walks the gates, the dispatch tree, the server's pod chain and its policies'
 * chains; the measurement reads the kernel's counter of the pod chain's first rule after each
 * such round and reports it, so the rounds prove they took that path. The client and the
 * server ({@link ConnectLoop}) are JVMs inside the pod namespaces; the client is one process
 * for all rounds, told by the parent how long each round lasts, so JIT warm-up and process
 * start are outside every round (an unreported warm-up round runs first), and each round
 * starts a second after the apply or cleanup before it.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.palisade.bench.ConnectionRateMeasurement [rounds of each kind] [seconds per round]}
 */
public final class ConnectionRateMeasurement {
  static final String NODE = "node-001";
  private static final String LAB_PREFIX = "palrate";
  /**
   * The pause after each apply or cleanup before the next round: the kernel frees a replaced
   * ruleset and destroyed sets after the restore returns, and that work should not fall into
   * the round.
   */
  private static final Duration SETTLE = Duration.ofSeconds(1);

  /** What to measure: the cluster, how many rounds of each kind, how long each lasts. */
  public record Settings(ClusterSize size, int roundsEach, Duration round) {
    public static final Settings DEFAULT =
        new Settings(ClusterSize.target(), 8, Duration.ofSeconds(5));
  }

  /** What the node's filter table holds during a round; rounds cycle in this order. */
  public enum RoundKind {
    /** The node's compiled state, applied by the writer. */
    LOADED("loaded"),
    /** No Palisade object (after {@code KernelWriter.cleanup}) and no other rule. */
    NONE("none"),
    /**
     * No Palisade object, but conntrack on, as kube-proxy keeps it on every node (its
     * {@code -m conntrack --ctstate INVALID -j DROP} in FORWARD): what the rules cost beyond
     * the connection tracking a node pays anyway.
     */
    CONNTRACK_ONLY("none, conntrack on");

    private final String label;

    RoundKind(String label) {
      this.label = label;
    }
  }

  /**
   * One round: its kind, the connections the client completed and those that failed, how long
   * it ran, and (rules loaded only) how many packets the server's pod chain counted.
   */
  public record Round(int index, RoundKind kind, long connections, long failures, long nanos,
      long podChainPackets) {
    public double perSecond() {
      return connections * 1e9 / nanos;
    }
  }

  /** Every round, with what was loaded and which connection was measured. */
  public record Result(Settings settings, AllowedConnection connection, int rules, int sets,
      int rulesTested, ImmutableList<Round> rounds, String loadBefore, String loadAfter) {

    /** Median with rules loaded over median without: the figure issue 10 targets (≥ 0.9). */
    public double ratio() {
      return median(RoundKind.LOADED) / median(RoundKind.NONE);
    }

    /** Median with rules loaded over median with conntrack on and no rules. */
    public double ratioToConntrackOnly() {
      return median(RoundKind.LOADED) / median(RoundKind.CONNTRACK_ONLY);
    }

    /** The median connections per second of the rounds of one kind. */
    public double median(RoundKind kind) {
      double[] rates = rounds.stream().filter(round -> round.kind() == kind)
          .mapToDouble(Round::perSecond).sorted().toArray();
      int middle = rates.length / 2;
      return rates.length % 2 == 1 ? rates[middle] : (rates[middle - 1] + rates[middle]) / 2;
    }

    /** One line for a summary table: the ratio and the medians it comes from. */
    public String summary() {
      return String.format(Locale.ROOT,
          "%.3f (medians %,.0f/s loaded, %,.0f/s without; %.3f against conntrack on without"
              + " rules, %,.0f/s; %d rounds of each kind, %d s each)",
          ratio(), median(RoundKind.LOADED), median(RoundKind.NONE), ratioToConntrackOnly(),
          median(RoundKind.CONNTRACK_ONLY), settings.roundsEach(), settings.round().toSeconds());
    }

    /** Markdown: each round, then the medians and the ratio. */
    public String table() {
      StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
          "%s; %,d cluster pods, %,d policies; loaded: %,d rules, %,d sets (IPv4); the first"
              + " packet of each connection is tested against %d rules%n%n"
              + "| round | Palisade rules | connections/s | connections | failed |"
              + " packets through the server's pod chain |%n"
              + "| --- | --- | --- | --- | --- | --- |%n",
          connection, settings.size().pods(), settings.size().policies(), rules, sets,
          rulesTested));
      for (Round round : rounds) {
        table.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %,d | %d | %s |%n",
            round.index(), round.kind().label, round.perSecond(), round.connections(),
            round.failures(), round.kind() == RoundKind.LOADED
                ? String.format(Locale.ROOT, "%,d", round.podChainPackets()) : ""));
      }
      table.append(String.format(Locale.ROOT,
          "%nmedian loaded %,.0f/s, median without rules %,.0f/s, ratio %.3f (target ≥ 0.9);"
              + " median with conntrack on and no rules %,.0f/s, ratio %.3f;"
              + " load average (1, 5, 15 min) before %s, after %s%n",
          median(RoundKind.LOADED), median(RoundKind.NONE), ratio(),
          median(RoundKind.CONNTRACK_ONLY), ratioToConntrackOnly(), loadBefore, loadAfter));
      return table.toString();
    }
  }

  private ConnectionRateMeasurement() {}

  public static void main(String[] args) {
    Settings settings = args.length == 2
        ? new Settings(ClusterSize.target(), Integer.parseInt(args[0]),
            Duration.ofSeconds(Long.parseLong(args[1])))
        : Settings.DEFAULT;
    System.out.println(measure(settings).table());
  }

  /** Builds the lab, runs the rounds, removes everything it made. Needs root. */
  public static Result measure(Settings settings) {
    RuleGraph graph = SyntheticCluster.generate(settings.size(), SyntheticCluster.BENCHMARK_SEED)
        .toGraph();
    AllowedConnection connection = AllowedConnection.find(graph, NODE);
    DataplaneSettings dataplane = DataplaneSettings.DEFAULTS;
    DesiredState desired = NodeCompiler.compile(graph, NODE, dataplane);
    Trace trace = new PacketWalker(desired.v4()).trace("FORWARD", new Packet(
        address(connection.client()), address(connection.server()), Protocol.TCP,
        connection.port()));
    RuleKey podChainEntry = podChainEntry(trace, dataplane.installation().chainPrefix());
    List<Round> rounds = new ArrayList<>();
    String loadBefore = loadAverage();
    try (PacketPathLab lab = PacketPathLab.start(LAB_PREFIX,
            List.of(connection.client(), connection.server()));
        LoopProcess server = LoopProcess.start(lab.namespaceOf(connection.server()), "server",
            Integer.toString(connection.port()));
        LoopProcess client = LoopProcess.start(lab.namespaceOf(connection.client()), "client",
            InetAddresses.toAddrString(address(connection.server())),
            Integer.toString(connection.port()))) {
      server.awaitLine(ConnectLoop.READY);
      lab.apply(desired);
      settle();
      client.round(settings.round()); // warm-up, not reported
      RoundKind[] cycle = RoundKind.values();
      for (int index = 1; index <= cycle.length * settings.roundsEach(); index++) {
        RoundKind kind = cycle[(index - 1) % cycle.length];
        if (index > 1) {
          switch (kind) {
            case LOADED -> {
              lab.removeConntrackOnlyRule();
              lab.apply(desired);
            }
            case NONE -> lab.cleanup();
            case CONNTRACK_ONLY -> lab.addConntrackOnlyRule();
          }
          settle();
        }
        rounds.add(round(index, kind, lab, client, settings.round(), podChainEntry));
      }
    }
    return new Result(settings, connection,
        desired.v4().chains().values().stream().mapToInt(chain -> chain.rules().size()).sum(),
        desired.v4().sets().size(), trace.rulesEvaluated(), ImmutableList.copyOf(rounds),
        loadBefore, loadAverage());
  }

  private static Round round(int index, RoundKind kind, PacketPathLab lab, LoopProcess client,
      Duration length, RuleKey podChainEntry) {
    boolean loaded = kind == RoundKind.LOADED;
    long before = loaded ? lab.packetCounters().getOrDefault(podChainEntry, 0L) : 0;
    ClientFigures figures = client.round(length);
    long podChainPackets =
        loaded ? lab.packetCounters().getOrDefault(podChainEntry, 0L) - before : 0;
    return new Round(index, kind, figures.connections(), figures.failures(), figures.nanos(),
        podChainPackets);
  }

  private static void settle() {
    try {
      Thread.sleep(SETTLE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted between rounds", e);
    }
  }

  /** The machine's load: on a shared machine the rounds measure it too. */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return String.join(" ", fields[0], fields[1], fields[2]);
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  private static InetAddress address(Pod pod) {
    return pod.ip(IpFamily.V4).orElseThrow();
  }

  /** The first rule of the server's ingress pod chain: every packet entering it matches it. */
  private static RuleKey podChainEntry(Trace trace, String chainPrefix) {
    return trace.steps().stream()
        .filter(step -> step.chain().startsWith(chainPrefix + "PI-"))
        .findFirst()
        .map(step -> new RuleKey(step.chain(), step.rule()))
        .orElseThrow(() -> new IllegalStateException(
            "the connection's first packet does not enter the server's pod chain"));
  }

  /** What the client reports for one round. */
  private record ClientFigures(long connections, long failures, long nanos) {}

  /** A {@link ConnectLoop} JVM in a network namespace, stopped by its own pid on close. */
  private static final class LoopProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader output;
    private final Writer input;

    private LoopProcess(Process process) {
      this.process = process;
      this.output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.input = process.outputWriter(StandardCharsets.UTF_8);
    }

    static LoopProcess start(String namespace, String... args) {
      List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
          ProcessHandle.current().info().command().orElse("java"),
          "-cp", System.getProperty("java.class.path"), "-Xmx64m", "-XX:+UseSerialGC",
          ConnectLoop.class.getName()));
      argv.addAll(List.of(args));
      try {
        return new LoopProcess(new ProcessBuilder(argv)
            .redirectError(ProcessBuilder.Redirect.INHERIT).start());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + argv, e);
      }
    }

    void awaitLine(String expected) {
      String line = readLine();
      if (!expected.equals(line)) {
        throw new IllegalStateException("expected '" + expected + "', got '" + line + "'");
      }
    }

    /** Runs one client round. */
    ClientFigures round(Duration length) {
      try {
        input.write(length.toMillis() + "\n");
        input.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("the client is gone", e);
      }
      String[] figures = readLine().split(" ");
      return new ClientFigures(Long.parseLong(figures[0]), Long.parseLong(figures[1]),
          Long.parseLong(figures[2]));
    }

    private String readLine() {
      try {
        String line = output.readLine();
        if (line == null) {
          throw new IllegalStateException("the process ended (exit "
              + process.waitFor() + ")");
        }
        return line;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
