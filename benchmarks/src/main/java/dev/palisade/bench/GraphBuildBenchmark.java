package dev.palisade.bench;

import dev.palisade.model.RuleGraph;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target: building the graph of 10,000 pods, 1,000 policies and 100 namespaces from scratch
 * takes at most 1 s, as an agent does when it starts. The cluster is generated once; each
 * invocation feeds all of it to a new graph. Eight warmup iterations: on a loaded machine the JIT
 * compiler threads wait for a core too, and fewer left the first measurements still falling.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 8, time = 3)
@Measurement(iterations = 8, time = 3)
@State(Scope.Benchmark)
public class GraphBuildBenchmark {

  @Param
  public FeedOrder order;

  private SyntheticCluster cluster;

  @Setup(Level.Trial)
  public void generate() {
    cluster = SyntheticCluster.generate(ClusterSize.target(), SyntheticCluster.BENCHMARK_SEED);
  }

  @Benchmark
  public RuleGraph buildFromScratch() {
    return order.feed(cluster, new RuleGraph());
  }
}
