package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Target: the model of 10,000 pods, 1,000 policies and 100 namespaces retains at most 256 MiB
 * of heap. Measures the used heap after full collections before and after building the graph,
 * with only the graph left reachable: the retained size of the graph together with the pods,
 * policies and namespaces it holds. JMH's allocation profiler counts garbage too, so this is a
 * plain program.
 *
 * <p>The generator shares label strings between pods; an agent's pods come from JSON, where
 * every value is a string of its own. Pods are therefore copied with their own strings first,
 * so the figure is what an agent would hold.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.palisade.bench.ModelHeapFootprint [runs]}
 */
public final class ModelHeapFootprint {
  private static final double MIB = 1024.0 * 1024.0;

  private ModelHeapFootprint() {}

  public static void main(String[] args) throws InterruptedException {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    ClusterSize size = ClusterSize.target();
    List<Long> retained = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      long before = usedHeapAfterGc();
      RuleGraph graph = buildWithOwnStrings(size);
      long after = usedHeapAfterGc();
      Reference.reachabilityFence(graph);
      retained.add(after - before);
      System.out.printf(Locale.ROOT, "run %d: %.1f MiB%n", run + 1, (after - before) / MIB);
    }
    double mean = retained.stream().mapToLong(Long::longValue).average().orElseThrow();
    long min = retained.stream().mapToLong(Long::longValue).min().orElseThrow();
    long max = retained.stream().mapToLong(Long::longValue).max().orElseThrow();
    System.out.printf(Locale.ROOT,
        "retained heap of the model (%d namespaces, %d pods, %d policies): "
            + "%.1f MiB mean, %.1f-%.1f MiB over %d runs%n",
        size.namespaces(), size.pods(), size.policies(), mean / MIB, min / MIB, max / MIB,
        runs);
  }

  private static RuleGraph buildWithOwnStrings(ClusterSize size) {
    SyntheticCluster generated =
        SyntheticCluster.generate(size, SyntheticCluster.BENCHMARK_SEED);
    SyntheticCluster decoded = new SyntheticCluster(size, generated.namespaces(),
        generated.pods().stream().map(ModelHeapFootprint::withOwnStrings)
            .collect(ImmutableList.toImmutableList()),
        generated.shapes());
    return decoded.toGraph();
  }

  /** The pod as a JSON decoder would make it: label values and names in strings of their own. */
  private static Pod withOwnStrings(Pod pod) {
    ImmutableSortedMap.Builder<String, String> labels = ImmutableSortedMap.naturalOrder();
    for (Map.Entry<String, String> label : pod.labels().entrySet()) {
      // keys stay shared: Jackson interns field names
      labels.put(label.getKey(), new String(label.getValue()));
    }
    ObjectRef ref = ObjectRef.of(new String(pod.ref().namespace()), new String(pod.ref().name()));
    return new Pod(ref, labels.buildOrThrow(), pod.ips(), new String(pod.nodeName()),
        pod.ports(), pod.phase(), pod.hostNetwork());
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    // repeat until a collection frees nothing more, so finalizable and soft garbage is gone too
    for (int attempt = 0; attempt < 10; attempt++) {
      System.gc();
      Thread.sleep(100);
      long now = memory.getHeapMemoryUsage().getUsed();
      if (now >= used) {
        return now;
      }
      used = now;
    }
    return used;
  }
}
