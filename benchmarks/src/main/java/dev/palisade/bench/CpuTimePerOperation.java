package dev.palisade.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The JMH benchmarks' operations timed in thread CPU time instead of wall-clock time. On a
 * machine that other work shares, a wall-clock figure includes the time the thread waited for
 * a core; CPU time counts only the time it ran (contention for caches still shows). Each
 * operation is set up as its benchmark sets it up, runs untimed for {@value #WARMUP_SECONDS} s,
 * then timed for {@value #MEASURE_SECONDS} s with a CPU-clock reading before and after each
 * invocation; the per-invocation preparation (the delete before an add) runs outside the
 * readings. The {@code clock} line shows what the two readings themselves cost.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.palisade.bench.CpuTimePerOperation [filter]}
 */
public final class CpuTimePerOperation {
  private static final int WARMUP_SECONDS = 5;
  private static final int MEASURE_SECONDS = 10;
  private static final Runnable NOTHING = () -> { };

  /** A benchmark's setup, its untimed step before each invocation, and the timed invocation. */
  private record Operation(String name, Runnable setup, Runnable beforeEach,
      Supplier<?> invocation) {}

  private CpuTimePerOperation() {}

  public static void main(String[] args) {
    String filter = args.length > 0 ? args[0] : "";
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.printf(Locale.ROOT, "%-34s %8s %11s %11s %11s %11s %11s%n", "operation (us)",
        "samples", "cpu mean", "cpu stdev", "cpu p50", "cpu p99", "wall mean");
    for (Operation operation : operations()) {
      if (operation.name().contains(filter)) {
        operation.setup().run();
        report(operation, threads);
      }
    }
  }

  private static List<Operation> operations() {
    List<Operation> operations = new ArrayList<>();
    operations.add(new Operation("clock", NOTHING, NOTHING, () -> null));
    for (FeedOrder order : FeedOrder.values()) {
      GraphBuildBenchmark build = new GraphBuildBenchmark();
      build.order = order;
      operations.add(new Operation("build " + order, build::generate, NOTHING,
          build::buildFromScratch));
    }
    PodLabelChangeBenchmark relabel = new PodLabelChangeBenchmark();
    operations.add(new Operation("pod label change", relabel::buildGraph, NOTHING,
        relabel::relabelOnePod));
    for (PolicyShape shape : PolicyShape.values()) {
      PolicyAddBenchmark.GraphWithoutPolicyEachTime state =
          new PolicyAddBenchmark.GraphWithoutPolicyEachTime();
      state.shape = shape;
      operations.add(new Operation("policy add " + shape, state::buildGraph,
          state::removePolicy, () -> state.graph.upsertPolicy(state.policy)));
    }
    return operations;
  }

  private static void report(Operation operation, ThreadMXBean threads) {
    run(operation, threads, WARMUP_SECONDS);
    long wallStart = System.nanoTime();
    long[] cpu = run(operation, threads, MEASURE_SECONDS);
    double wallMean = (System.nanoTime() - wallStart) / 1e3 / cpu.length;
    double mean = Arrays.stream(cpu).average().orElseThrow() / 1e3;
    double variance = Arrays.stream(cpu)
        .mapToDouble(nanos -> Math.pow(nanos / 1e3 - mean, 2))
        .sum() / Math.max(1, cpu.length - 1);
    Arrays.sort(cpu);
    System.out.printf(Locale.ROOT, "%-34s %8d %11.1f %11.1f %11.1f %11.1f %11.1f%n",
        operation.name(), cpu.length, mean, Math.sqrt(variance),
        cpu[cpu.length / 2] / 1e3, cpu[(int) (cpu.length * 0.99)] / 1e3, wallMean);
  }

  /**
   * Invokes the operation until {@code seconds} of wall-clock time have passed (at least
   * once); returns each invocation's CPU time in nanoseconds. The wall-clock mean reported
   * includes the untimed preparation.
   */
  private static long[] run(Operation operation, ThreadMXBean threads, int seconds) {
    List<Long> samples = new ArrayList<>();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    do {
      operation.beforeEach().run();
      long start = threads.getCurrentThreadCpuTime();
      // no blackhole needed: every operation changes a graph that outlives it, or builds one
      // far too large for the JIT to prove unused
      operation.invocation().get();
      samples.add(threads.getCurrentThreadCpuTime() - start);
    } while (System.nanoTime() < deadline);
    return samples.stream().mapToLong(Long::longValue).toArray();
  }
}
