package dev.palisade.bench;

import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.ebpf.EbpfPlan;
import dev.palisade.dataplane.ebpf.EbpfRenderer;
import dev.palisade.dataplane.ebpf.IdentityTable;
import dev.palisade.dataplane.plan.NodePlan;
import dev.palisade.dataplane.plan.NodePlanner;
import java.util.concurrent.TimeUnit;
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
 * The eBPF backend's rendering of a whole node at 10,000 pods and 1,000 policies (node-000, 110
 * pods): the node plan into map contents (endpoint ids, the identity table of every remote
 * class, the verdict entries), as a fresh agent renders it at its first sync. No kernel.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class EbpfRenderBenchmark {
  private NodePlan plan;

  @Setup(Level.Trial)
  public void planTheNode() {
    plan = NodePlanner.plan(SyntheticCluster.generate(ClusterSize.target(),
        SyntheticCluster.BENCHMARK_SEED).toGraph(), PodGenerator.nodeName(0));
  }

  @Benchmark
  public EbpfPlan renderTheNode() {
    return new EbpfRenderer(new IdentityTable.Interner(), DataplaneSettings.DEFAULTS).render(plan);
  }
}
