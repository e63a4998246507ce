package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.kernel.ApplyResult;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.kernel.NetnsCommandRunner;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import dev.palisade.dataplane.kernel.Sleeper;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.dataplane.render.RestorePayload;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jnr.posix.POSIXFactory;

/**
 * The dataplane's figures at the target size (10,000 pods, 1,000 policies, ~110 pods on the
 * node), measured on a real kernel in a throwaway network namespace: compile time, the first
 * full apply, a pod add (delta, compile, apply), a policy add, an idempotent re-apply, rule and
 * set counts, and the baseline of a plain {@code ipset restore} + {@code iptables-restore} of
 * the same full payload into a fresh namespace. Needs root. Prints Markdown for
 * docs/performance.md.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.palisade.bench.DataplaneApplyMeasurement}
 */
public final class DataplaneApplyMeasurement {
  private static final String NODE = "node-001";
  private static final int COMPILE_RUNS = 30;
  private static final int DELTA_RUNS = 50;

  /** Counts the commands the writer runs, by program and subcommand. */
  private static final class CountingRunner implements CommandRunner {
    private final CommandRunner delegate;
    private final Map<String, Integer> counts = new TreeMap<>();

    CountingRunner(CommandRunner delegate) {
      this.delegate = delegate;
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
      String key = argv.get(0).endsWith("restore") || argv.size() < 2 ? argv.get(0)
          : argv.get(0) + " " + argv.get(1);
      counts.merge(key, 1, Integer::sum);
      return delegate.run(argv, stdin);
    }

    String writes() {
      List<String> writes = new ArrayList<>();
      counts.forEach((command, count) -> {
        if (command.contains("restore")) {
          writes.add(count + "× " + command);
        }
      });
      counts.clear();
      return writes.isEmpty() ? "none" : String.join(", ", writes);
    }
  }

  private DataplaneApplyMeasurement() {}

  public static void main(String[] args) throws Exception {
    SyntheticCluster cluster = SyntheticCluster.generate(ClusterSize.target(),
        SyntheticCluster.BENCHMARK_SEED);
    RuleGraph graph = cluster.toGraph();
    DataplaneSettings settings = DataplaneSettings.DEFAULTS;
    List<String> rows = new ArrayList<>();

    long[] compile = new long[COMPILE_RUNS];
    long[] compileCpu = new long[COMPILE_RUNS];
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    DesiredState desired = null;
    for (int warmup = 0; warmup < 10; warmup++) {
      desired = NodeCompiler.compile(graph, NODE, settings);
    }
    for (int i = 0; i < COMPILE_RUNS; i++) {
      long cpu = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      desired = NodeCompiler.compile(graph, NODE, settings);
      compile[i] = System.nanoTime() - start;
      compileCpu[i] = threads.getCurrentThreadCpuTime() - cpu;
    }
    FamilyState v4 = desired.v4();
    rows.add(row("compile for one node (" + graph.endpointsOnNode(NODE).size()
        + " local pods)", median(compile), "≤ 200 ms", COMPILE_RUNS + " runs, median wall "
        + "clock; thread CPU time " + millis(median(compileCpu))));
    rows.add("| IPv4 state | " + v4.chains().size() + " chains, "
        + v4.chains().values().stream().mapToInt(c -> c.rules().size()).sum() + " rules, "
        + v4.sets().size() + " sets, "
        + v4.sets().values().stream().mapToInt(s -> s.members().size()).sum()
        + " members | | |");

    NetnsCluster.requireRootAndTools();
    try (NetnsCluster lab = NetnsCluster.start("palbench", 2)) {
      CountingRunner runner = new CountingRunner(new NetnsCommandRunner(
          new ProcessCommandRunner(Duration.ofMinutes(2)), lab.nodeNamespace(1)));
      KernelWriter writer = KernelWriter.forMachine(runner, POSIXFactory.getNativePOSIX(),
          Sleeper.system(), Installation.DEFAULT);

      long start = System.nanoTime();
      ApplyResult first = require(writer.apply(desired));
      rows.add(row("first full apply", System.nanoTime() - start, "",
          runner.writes() + "; " + first.written().describe()));

      start = System.nanoTime();
      ApplyResult again = require(writer.apply(desired));
      rows.add(row("second apply of the same state", System.nanoTime() - start, "writes nothing",
          runner.writes() + "; " + again.written().describe()));

      Pod template = graph.endpointsOnNode("node-002").get(0);
      long[] deltas = new long[DELTA_RUNS];
      GraphDelta delta = null;
      for (int i = 0; i < DELTA_RUNS; i++) {
        Pod added = new Pod(ObjectRef.of(template.ref().namespace(), "bench-" + i),
            template.labels(), ImmutableList.of(InetAddresses.forString("10.255.0." + (i + 1))),
            template.nodeName(), template.ports(), template.phase(), false);
        start = System.nanoTime();
        delta = graph.upsertPod(added);
        deltas[i] = System.nanoTime() - start;
      }
      rows.add(row("pod add: graph delta", median(deltas), "≤ 1 ms", DELTA_RUNS
          + " pods like " + template.ref() + ", median; the last touched "
          + delta.selectors().size() + " selectors"));
      start = System.nanoTime();
      DesiredState withPods = NodeCompiler.compile(graph, NODE, settings);
      long compiled = System.nanoTime() - start;
      start = System.nanoTime();
      ApplyResult podAdd = require(writer.apply(withPods));
      rows.add(row("pod add: compile + apply (" + DELTA_RUNS + " pods at once)",
          compiled + System.nanoTime() - start, "one set batch",
          runner.writes() + "; " + podAdd.written().describe()));

      Policy model = graph.policiesSelecting(graph.endpointsOnNode(NODE).get(0).ref()).get(0);
      Policy addedPolicy = new Policy(ObjectRef.of(model.ref().namespace(), "bench-added"),
          model.podSelector(), model.policyTypes(), model.ingress(), model.egress());
      start = System.nanoTime();
      graph.upsertPolicy(addedPolicy);
      DesiredState withPolicy = NodeCompiler.compile(graph, NODE, settings);
      ApplyResult policyAdd = require(writer.apply(withPolicy));
      rows.add(row("policy add (a copy of " + model.ref() + "): delta + compile + apply",
          System.nanoTime() - start, "only its chains",
          runner.writes() + "; " + policyAdd.written().describe()));

      CommandRunner baseline = new NetnsCommandRunner(
          new ProcessCommandRunner(Duration.ofMinutes(2)), lab.nodeNamespace(2));
      start = System.nanoTime();
      for (IpFamily family : IpFamily.values()) {
        RestorePayload payload = RestorePayload.of(desired.family(family));
        check(baseline.run(List.of("ipset", "restore"), payload.ipsetRestore()));
        check(baseline.run(List.of(family == IpFamily.V4 ? "iptables-restore"
            : "ip6tables-restore", "--noflush"), payload.iptablesRestore()));
      }
      rows.add(row("baseline: plain ipset restore + iptables-restore of the full payload",
          System.nanoTime() - start, "", "both families, fresh namespace"));
    }
    System.out.println("| measurement | time | target | notes |");
    System.out.println("| --- | --- | --- | --- |");
    rows.forEach(System.out::println);
  }

  private static ApplyResult require(ApplyResult result) {
    if (!result.succeeded()) {
      throw new IllegalStateException(((ApplyResult.Failed) result).describe());
    }
    return result;
  }

  private static void check(CommandResult result) {
    if (!result.succeeded()) {
      throw new IllegalStateException("baseline restore failed: " + result.stderr());
    }
  }

  private static long median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String row(String what, long nanos, String target, String notes) {
    return "| " + what + " | " + millis(nanos) + " | " + target + " | " + notes + " |";
  }

  private static String millis(long nanos) {
    return nanos >= 10_000_000 ? (nanos / 1_000_000) + " ms"
        : String.format("%.3f ms", nanos / 1e6);
  }
}
