package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.walk.PacketWalker;
import dev.palisade.dataplane.walk.PacketWalker.Outcome;
import dev.palisade.dataplane.walk.PacketWalker.Packet;
import dev.palisade.dataplane.walk.PacketWalker.Step;
import dev.palisade.dataplane.walk.PacketWalker.Trace;
import dev.palisade.model.Direction;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How many rules the first packet of a connection is tested against on its way to a pod
 * selected by k policies, at several cluster sizes (issue 10: "independent of cluster size").
 *
 * <p>Method: the node's state is compiled by {@link NodeCompiler} and the packet is walked
 * through it by {@link PacketWalker}, which tests each rule of each chain in the kernel's order
 * and records every rule it tests, matched or not (the kernel's counters show only the rules
 * that match). Counted are Palisade's rules: its hook in FORWARD and its chains; rules of other
 * components in FORWARD are not. {@code RulesTraversedKernelTest} shows on a real kernel that
 * the rules the walker says match are exactly those whose packet counters move, and that the
 * kernel reaches the walker's verdict; the rules tested without matching follow from those by
 * the order of the chains.
 *
 * <p>The packets are those of {@link ProbeWorkload}: client to server, both on the measured
 * node, the allowed one allowed by the last of the server's k policies (all k chains tried),
 * the denied one denied after trying all k. Each count is split into dispatch (hook, top
 * chains, gates, the binary tree over the node's isolated pods) and policy (the server's pod
 * chain and its policies' chains). Every size puts 100 pods on each node, so the measured node
 * holds the same number of pods; which of them are isolated, and so the tree's shape, differs
 * from cluster to cluster.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.palisade.bench.RulesTraversedMeasurement}
 */
public final class RulesTraversedMeasurement {
  static final String NODE = "node-001";
  public static final List<Integer> POLICY_COUNTS = List.of(1, 4, 16);
  public static final List<ClusterSize> SIZES = List.of(
      new ClusterSize(10, 1_000, 100, 10),
      new ClusterSize(100, 10_000, 1_000, 100),
      new ClusterSize(500, 50_000, 5_000, 500));

  /** The rules one packet was tested against, by part of the path, and where it ended. */
  public record Walk(Outcome outcome, int dispatchRules, int policyRules) {
    public int total() {
      return dispatchRules + policyRules;
    }

    @Override
    public String toString() {
      return total() + " (" + dispatchRules + " + " + policyRules + ")";
    }
  }

  /** One cluster size and policy count. */
  public record Row(int policies, ClusterSize size, int isolatedLocalPods, Walk allowed,
      Walk denied) {}

  private RulesTraversedMeasurement() {}

  public static void main(String[] args) {
    List<Row> rows = measure(SIZES, POLICY_COUNTS);
    System.out.println(table(rows));
    System.out.println("independent of cluster size: "
        + (independentOfClusterSize(rows) ? "yes (MET)" : "no (MISSED)"));
  }

  /** Walks both packets for every size and policy count; sizes are generated one at a time. */
  public static ImmutableList<Row> measure(List<ClusterSize> sizes, List<Integer> policyCounts) {
    DataplaneSettings settings = DataplaneSettings.DEFAULTS;
    List<Row> rows = new ArrayList<>();
    for (ClusterSize size : sizes) {
      RuleGraph graph = SyntheticCluster.generate(size, SyntheticCluster.BENCHMARK_SEED)
          .toGraph();
      for (int policies : policyCounts) {
        ProbeWorkload probe = ProbeWorkload.addTo(graph, NODE, policies);
        PacketWalker walker =
            new PacketWalker(NodeCompiler.compile(graph, NODE, settings).v4());
        int isolated = (int) graph.endpointsOnNode(NODE).stream()
            .filter(pod -> graph.isIsolated(pod.ref(), Direction.INGRESS)).count();
        String chainPrefix = settings.installation().chainPrefix();
        rows.add(new Row(policies, size, isolated,
            walk(walker, probe, ProbeWorkload.ALLOWED_PORT, Outcome.PASSED, chainPrefix),
            walk(walker, probe, ProbeWorkload.DENIED_PORT, Outcome.DROPPED, chainPrefix)));
        probe.removeFrom(graph);
      }
    }
    return ImmutableList.copyOf(rows);
  }

  /**
   * The target of issue 10: for every policy count, no larger cluster makes either packet test
   * more rules than the smallest cluster measured (rows as {@link #measure} returns them).
   */
  public static boolean independentOfClusterSize(List<Row> rows) {
    return rows.stream().collect(Collectors.groupingBy(Row::policies)).values().stream()
        .allMatch(sameK -> {
          Row smallest = sameK.stream().min(Comparator.comparingInt(row -> row.size().pods()))
              .orElseThrow();
          return sameK.stream().allMatch(row -> row.allowed().total() <= smallest.allowed().total()
              && row.denied().total() <= smallest.denied().total());
        });
  }

  /** The trace of the client's first TCP packet to {@code port} of the server, on the node. */
  public static Trace trace(PacketWalker walker, ProbeWorkload probe, int port) {
    return walker.trace("FORWARD", new Packet(probe.clientAddress(), probe.serverAddress(),
        Protocol.TCP, port));
  }

  private static Walk walk(PacketWalker walker, ProbeWorkload probe, int port, Outcome expected,
      String chainPrefix) {
    Trace trace = trace(walker, probe, port);
    if (trace.outcome() != expected) {
      throw new IllegalStateException("the packet to port " + port + " was " + trace.outcome()
          + ", not " + expected + ": the probe workload does not do what it should");
    }
    int policy = (int) trace.steps().stream()
        .filter(step -> isPolicyChain(step, chainPrefix)).count();
    return new Walk(trace.outcome(), trace.rulesEvaluated() - policy, policy);
  }

  /** Pod chains ({@code PI-}, {@code PE-}) and policy chains ({@code RI-}, {@code RE-}). */
  private static boolean isPolicyChain(Step step, String chainPrefix) {
    return List.of("PI-", "PE-", "RI-", "RE-").stream()
        .anyMatch(kind -> step.chain().startsWith(chainPrefix + kind));
  }

  /**
   * One line for a summary table: per policy count, the rules the allowed and the denied packet
   * were tested against at each size, e.g. {@code k=1: 22/23 at 1,000, 22/23 at 10,000 pods}.
   */
  public static String summary(List<Row> rows) {
    return rows.stream().collect(Collectors.groupingBy(Row::policies, TreeMap::new,
            Collectors.toList()))
        .entrySet().stream()
        .map(entry -> "k=" + entry.getKey() + ": " + entry.getValue().stream()
            .map(row -> String.format(Locale.ROOT, "%d/%d at %,d", row.allowed().total(),
                row.denied().total(), row.size().pods()))
            .collect(Collectors.joining(", ")) + " pods")
        .collect(Collectors.joining("; ")) + " (rules tested, allowed/denied packet)";
  }

  /** Markdown: one row per policy count and size. */
  public static String table(List<Row> rows) {
    StringBuilder table = new StringBuilder(
        "| policies selecting the pod | cluster pods | policies | isolated pods on the node"
            + " (the server included) |"
            + " allowed packet: rules tested (dispatch + policy) |"
            + " denied packet: rules tested (dispatch + policy) |\n"
            + "| --- | --- | --- | --- | --- | --- |\n");
    for (Row row : rows) {
      table.append(String.format(Locale.ROOT, "| %d | %,d | %,d | %d | %s | %s |%n",
          row.policies(), row.size().pods(), row.size().policies(), row.isolatedLocalPods(),
          row.allowed(), row.denied()));
    }
    return table.toString();
  }
}
