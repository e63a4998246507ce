package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;
import dev.palisade.bench.RuleCounters.RuleKey;
import dev.palisade.dataplane.backend.Dataplane;
import dev.palisade.dataplane.backend.Outcome;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.ebpf.Bpf;
import dev.palisade.dataplane.ebpf.EbpfDataplane;
import dev.palisade.dataplane.ebpf.PinLayout;
import dev.palisade.dataplane.ebpf.ProgramRunStats;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import dev.palisade.dataplane.lab.BpffsMount;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.walk.PacketWalker;
import dev.palisade.dataplane.walk.PacketWalker.Packet;
import dev.palisade.dataplane.walk.PacketWalker.Trace;
import dev.palisade.model.GraphDelta;
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
import java.util.Optional;
import java.util.OptionalDouble;

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
 * <p>The same rounds run on the eBPF backend ({@link Backend#EBPF}): the real {@link
 * EbpfDataplane} loads the node's maps, and the kernel's run-time statistics give the program's
 * cost per packet.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.palisade.bench.ConnectionRateMeasurement [iptables|ebpf [rounds of each kind] [seconds
 * per round]]}
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
   * it ran, and (rules loaded only) how many packets the enforcement counted on the measured
   * path: the server's pod chain (iptables), runs of the program at the server's interface
   * (eBPF).
   */
  public record Round(int index, RoundKind kind, long connections, long failures, long nanos,
      long pathPackets) {
    public double perSecond() {
      return connections * 1e9 / nanos;
    }
  }

  /**
   * Every round, with what was loaded and which connection was measured.
   *
   * @param loaded what a loaded round holds, in the backend's words
   * @param rulesTested rules (iptables) or map lookups (eBPF) the first packet of each
   *     connection is judged by
   * @param programNanosPerPacket eBPF: the program's run time per run over the loaded rounds,
   *     from the kernel's statistics
   */
  public record Result(Settings settings, Backend backend, AllowedConnection connection,
      String loaded, int rulesTested, ImmutableList<Round> rounds,
      OptionalDouble programNanosPerPacket, String loadBefore, String loadAfter) {

    /** Median with rules loaded over median without: the figure issue 10 targets (≥ 0.9). */
    public double ratio() {
      return median(RoundKind.LOADED) / median(RoundKind.NONE);
    }

    /** Median with rules loaded over median with conntrack on and no rules. */
    public double ratioToConntrackOnly() {
      return median(RoundKind.LOADED) / median(RoundKind.CONNTRACK_ONLY);
    }

    /**
     * Median with conntrack on and no rules over median without: what connection tracking
     * alone costs, which every stateful enforcer pays and issue 10's baseline does not.
     */
    public double conntrackAloneRatio() {
      return median(RoundKind.CONNTRACK_ONLY) / median(RoundKind.NONE);
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
              + " rules, %,.0f/s, which is %.3f of without; %d rounds of each kind, %d s each)",
          ratio(), median(RoundKind.LOADED), median(RoundKind.NONE), ratioToConntrackOnly(),
          median(RoundKind.CONNTRACK_ONLY), conntrackAloneRatio(), settings.roundsEach(),
          settings.round().toSeconds())
          + programNanosPerPacket.stream().mapToObj(nanos -> String.format(Locale.ROOT,
              "; program %.0f ns per packet", nanos)).findFirst().orElse("");
    }

    /** Markdown: each round, then the medians and the ratio. */
    public String table() {
      StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
          "%s; %,d cluster pods, %,d policies; %s backend; loaded: %s%n%n"
              + "| round | Palisade rules | connections/s | connections | failed |"
              + " packets counted on the path |%n"
              + "| --- | --- | --- | --- | --- | --- |%n",
          connection, settings.size().pods(), settings.size().policies(),
          backend.name().toLowerCase(Locale.ROOT), loaded));
      for (Round round : rounds) {
        table.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %,d | %d | %s |%n",
            round.index(), round.kind().label, round.perSecond(), round.connections(),
            round.failures(), round.kind() == RoundKind.LOADED
                ? String.format(Locale.ROOT, "%,d", round.pathPackets()) : ""));
      }
      table.append(String.format(Locale.ROOT,
          "%nmedian loaded %,.0f/s, median without rules %,.0f/s, ratio %.3f (target ≥ 0.9);"
              + " median with conntrack on and no rules %,.0f/s, ratio %.3f (conntrack alone:"
              + " %.3f of without rules); load average (1, 5, 15 min) before %s, after %s%n",
          median(RoundKind.LOADED), median(RoundKind.NONE), ratio(),
          median(RoundKind.CONNTRACK_ONLY), ratioToConntrackOnly(), conntrackAloneRatio(),
          loadBefore, loadAfter));
      programNanosPerPacket.ifPresent(nanos -> table.append(String.format(Locale.ROOT,
          "the program ran %.0f ns per packet over the loaded rounds (kernel BPF run-time"
              + " statistics, both hooks)%n", nanos)));
      return table.toString();
    }
  }

  private ConnectionRateMeasurement() {}

  /** Which backend a loaded round runs. */
  public enum Backend { IPTABLES, EBPF }

  public static void main(String[] args) {
    Backend backend = args.length >= 1 ? Backend.valueOf(args[0].toUpperCase(Locale.ROOT))
        : Backend.IPTABLES;
    Settings settings = args.length == 3
        ? new Settings(ClusterSize.target(), Integer.parseInt(args[1]),
            Duration.ofSeconds(Long.parseLong(args[2])))
        : Settings.DEFAULT;
    System.out.println(measure(settings, backend).table());
  }

  /** The iptables backend's rounds. */
  public static Result measure(Settings settings) {
    return measure(settings, Backend.IPTABLES);
  }

  /** Builds the lab, runs the rounds, removes everything it made. Needs root. */
  public static Result measure(Settings settings, Backend backend) {
    RuleGraph graph = SyntheticCluster.generate(settings.size(), SyntheticCluster.BENCHMARK_SEED)
        .toGraph();
    AllowedConnection connection = AllowedConnection.find(graph, NODE);
    List<Round> rounds = new ArrayList<>();
    String loadBefore = loadAverage();
    try (PacketPathLab lab = PacketPathLab.start(LAB_PREFIX,
            List.of(connection.client(), connection.server()));
        Enforcement enforcement = backend == Backend.IPTABLES
            ? new IptablesEnforcement(lab, graph, connection)
            : EbpfEnforcement.start(lab, graph);
        LoopProcess server = LoopProcess.start(lab.namespaceOf(connection.server()), "server",
            Integer.toString(connection.port()));
        LoopProcess client = LoopProcess.start(lab.namespaceOf(connection.client()), "client",
            InetAddresses.toAddrString(address(connection.server())),
            Integer.toString(connection.port()))) {
      server.awaitLine(ConnectLoop.READY);
      enforcement.load();
      settle();
      client.round(settings.round()); // warm-up, not reported
      RoundKind[] cycle = RoundKind.values();
      for (int index = 1; index <= cycle.length * settings.roundsEach(); index++) {
        RoundKind kind = cycle[(index - 1) % cycle.length];
        if (index > 1) {
          switch (kind) {
            case LOADED -> {
              lab.removeConntrackOnlyRule();
              enforcement.load();
            }
            case NONE -> enforcement.unload();
            case CONNTRACK_ONLY -> lab.addConntrackOnlyRule();
          }
          settle();
        }
        rounds.add(round(index, kind, enforcement, client, settings.round()));
      }
      return new Result(settings, backend, connection, enforcement.loaded(),
          enforcement.testsPerPacket(), ImmutableList.copyOf(rounds),
          enforcement.programNanosPerPacket(), loadBefore, loadAverage());
    }
  }

  private static Round round(int index, RoundKind kind, Enforcement enforcement,
      LoopProcess client, Duration length) {
    boolean loaded = kind == RoundKind.LOADED;
    long before = loaded ? enforcement.pathPackets() : 0;
    ClientFigures figures = client.round(length);
    long pathPackets = loaded ? enforcement.pathPackets() - before : 0;
    return new Round(index, kind, figures.connections(), figures.failures(), figures.nanos(),
        pathPackets);
  }

  /** What a loaded round loads and a none round removes, and what counts the measured path. */
  private interface Enforcement extends AutoCloseable {
    void load();

    void unload();

    /** Packets the enforcement counted on the connection's path so far. */
    long pathPackets();

    String loaded();

    int testsPerPacket();

    OptionalDouble programNanosPerPacket();

    @Override
    void close();
  }

  /** The node's compiled chains and sets, written by the real {@code KernelWriter}. */
  private static final class IptablesEnforcement implements Enforcement {
    private final PacketPathLab lab;
    private final DesiredState desired;
    private final Trace trace;
    private final RuleKey podChainEntry;

    IptablesEnforcement(PacketPathLab lab, RuleGraph graph, AllowedConnection connection) {
      this.lab = lab;
      DataplaneSettings dataplane = DataplaneSettings.DEFAULTS;
      this.desired = NodeCompiler.compile(graph, NODE, dataplane);
      this.trace = new PacketWalker(desired.v4()).trace("FORWARD", new Packet(
          address(connection.client()), address(connection.server()), Protocol.TCP,
          connection.port()));
      this.podChainEntry = podChainEntry(trace, dataplane.installation().chainPrefix());
    }

    @Override
    public void load() {
      lab.apply(desired);
    }

    @Override
    public void unload() {
      lab.cleanup();
    }

    @Override
    public long pathPackets() {
      return lab.packetCounters().getOrDefault(podChainEntry, 0L);
    }

    @Override
    public String loaded() {
      return String.format(Locale.ROOT, "%,d rules, %,d sets (IPv4); the first packet of each"
          + " connection is tested against %d rules",
          desired.v4().chains().values().stream().mapToInt(chain -> chain.rules().size()).sum(),
          desired.v4().sets().size(), trace.rulesEvaluated());
    }

    @Override
    public int testsPerPacket() {
      return trace.rulesEvaluated();
    }

    @Override
    public OptionalDouble programNanosPerPacket() {
      return OptionalDouble.empty();
    }

    @Override
    public void close() {
      // the lab's namespaces take the chains and sets with them
    }
  }

  /**
   * The node's maps, written by the real {@link EbpfDataplane} on a bpffs of its own; the
   * kernel's run-time statistics count while it is open. Unloading is the backend's cleanup
   * (links, pins and its conntrack rule go), so a loaded round starts from a fresh program.
   */
  private static final class EbpfEnforcement implements Enforcement {
    private final BpffsMount bpffs;
    private final PinLayout pins;
    private final EbpfDataplane dataplane;
    private final EbpfDataplane.NodeMaps maps;
    private final Bpf bpf = Bpf.load();
    private final int statsFd;
    private ProgramRunStats loadedRuns = new ProgramRunStats(0, 0, 0, 0);
    private ProgramRunStats sinceLoad;

    private EbpfEnforcement(BpffsMount bpffs, PacketPathLab lab, RuleGraph graph) {
      this.bpffs = bpffs;
      this.pins = PinLayout.forInstance(bpffs.path(), "rate");
      this.dataplane = new EbpfDataplane(NODE, DataplaneSettings.DEFAULTS, pins,
          Optional.of(Path.of("/run/netns", lab.cluster().nodeNamespace(1))), lab.node(),
          new ProcessCommandRunner(Duration.ofMinutes(1)));
      this.maps = dataplane.compile(graph, GraphDelta.union(List.of()));
      this.statsFd = bpf.enableRunTimeStats();
    }

    static EbpfEnforcement start(PacketPathLab lab, RuleGraph graph) {
      BpffsMount bpffs = BpffsMount.mount();
      try {
        return new EbpfEnforcement(bpffs, lab, graph);
      } catch (RuntimeException e) {
        bpffs.close();
        throw e;
      }
    }

    @Override
    public void load() {
      require(dataplane.apply(maps, Dataplane.View.READ));
      sinceLoad = ProgramRunStats.read(bpf, pins);
    }

    @Override
    public void unload() {
      loadedRuns = loadedRuns.plus(ProgramRunStats.read(bpf, pins).since(sinceLoad));
      require(dataplane.cleanup());
    }

    private static void require(Outcome outcome) {
      outcome.failure().ifPresent(why -> {
        throw new IllegalStateException(why);
      });
    }

    /** Runs of the program at the server's interface: each packet to the server is one. */
    @Override
    public long pathPackets() {
      return ProgramRunStats.read(bpf, pins).toPodRuns();
    }

    @Override
    public String loaded() {
      return String.format(Locale.ROOT, "%,d verdicts, %,d identity prefixes, %,d endpoints"
          + " (map entries); each packet is judged by one lookup in each map",
          maps.plan().verdicts().size(), maps.plan().identities().prefixes().size(),
          maps.plan().endpoints().size());
    }

    @Override
    public int testsPerPacket() {
      return 1;
    }

    @Override
    public OptionalDouble programNanosPerPacket() {
      return loadedRuns.fromPodRuns() + loadedRuns.toPodRuns() == 0 ? OptionalDouble.empty()
          : OptionalDouble.of(loadedRuns.nanosPerRun());
    }

    @Override
    public void close() {
      try {
        bpf.close(statsFd);
        dataplane.cleanup();
      } finally {
        bpffs.close();
      }
    }
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
