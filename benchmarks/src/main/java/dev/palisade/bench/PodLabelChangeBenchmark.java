package dev.palisade.bench;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target: one pod label change on the built graph (10,000 pods, 1,000 policies) takes at most
 * 1 ms. Each invocation relabels one of {@value #ROTATION} tenant pods picked at random,
 * flipping it between its own labels and a second set (another app of its namespace, and
 * {@code quarantine=true}), so every invocation is a real change; the pods are ones that this
 * change moves between selectors (in some namespaces no policy looks at these labels). The Pod objects are made in setup: converting the API object is not the model's
 * work.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@State(Scope.Thread)
public class PodLabelChangeBenchmark {
  private static final int ROTATION = 64;

  private RuleGraph graph;
  private final Pod[] original = new Pod[ROTATION];
  private final Pod[] relabelled = new Pod[ROTATION];
  private final boolean[] isRelabelled = new boolean[ROTATION];
  private int next;

  @Setup(Level.Trial)
  public void buildGraph() {
    SyntheticCluster cluster =
        SyntheticCluster.generate(ClusterSize.target(), SyntheticCluster.BENCHMARK_SEED);
    graph = cluster.toGraph();
    Set<String> systemNamespaces =
        Set.of(ClusterLayout.DNS_NAMESPACE, ClusterLayout.MONITORING_NAMESPACE);
    List<Pod> tenantPods = cluster.pods().stream()
        .filter(pod -> !systemNamespaces.contains(pod.ref().namespace()))
        .collect(Collectors.toCollection(ArrayList::new));
    Collections.shuffle(tenantPods, new Random(SyntheticCluster.BENCHMARK_SEED));
    int filled = 0;
    for (Pod pod : tenantPods) {
      Pod changed = pod.withLabels(otherLabels(pod, tenantPods));
      // only pods that the change moves between selectors: a change no selector notices is
      // the cheap case
      boolean movesSelectors = !graph.upsertPod(changed).selectors().isEmpty();
      graph.upsertPod(pod);
      if (!movesSelectors) {
        continue;
      }
      original[filled] = pod;
      relabelled[filled] = changed;
      if (++filled == ROTATION) {
        return;
      }
    }
    throw new IllegalStateException("fewer than " + ROTATION + " pods change selectors");
  }

  /** The pod's labels with the app of another workload in its namespace, quarantined. */
  private static Map<String, String> otherLabels(Pod pod, List<Pod> pods) {
    String app = pod.labels().get("app");
    String otherApp = pods.stream()
        .filter(other -> other.ref().namespace().equals(pod.ref().namespace()))
        .map(other -> other.labels().get("app"))
        .filter(candidate -> !candidate.equals(app))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(
            "namespace " + pod.ref().namespace() + " runs a single app"));
    Map<String, String> labels = new TreeMap<>(pod.labels());
    labels.put("app", otherApp);
    labels.put("quarantine", "true");
    return ImmutableSortedMap.copyOf(labels);
  }

  @Benchmark
  public GraphDelta relabelOnePod() {
    int slot = next;
    next = (next + 1) % ROTATION;
    isRelabelled[slot] = !isRelabelled[slot];
    return graph.upsertPod(isRelabelled[slot] ? relabelled[slot] : original[slot]);
  }
}
