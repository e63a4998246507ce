package dev.palisade.bench;

import dev.palisade.model.GraphDelta;
import dev.palisade.model.Policy;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Target: adding one policy to the built graph (10,000 pods, 1,000 policies) takes at most
 * 20 ms. The graph holds the cluster minus one policy of the chosen shape; that policy is the
 * one added, so the graph has 1,000 policies after the add.
 *
 * <p>{@link #addThenDelete} times the add and the delete that undoes it, so its figure is an
 * upper bound of the add. {@link #addOnly} times the add alone; the delete runs in a
 * per-invocation setup, which JMH discourages for very short operations (the timestamps cost
 * tens of nanoseconds), harmless at the tens of microseconds an add takes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class PolicyAddBenchmark {

  /** The built graph without the policy that the benchmark adds. */
  @State(Scope.Thread)
  public static class GraphWithoutPolicy {
    @Param
    public PolicyShape shape;

    RuleGraph graph;
    Policy policy;

    @Setup(Level.Trial)
    public void buildGraph() {
      SyntheticCluster cluster =
          SyntheticCluster.generate(ClusterSize.target(), SyntheticCluster.BENCHMARK_SEED);
      graph = cluster.toGraph();
      policy = cluster.policies(shape).get(0);
      graph.deletePolicy(policy.ref());
    }
  }

  /**
   * The same, with the policy removed again before each {@link #addOnly} invocation. (A
   * subclass, not a second state that takes this one: JMH would hand that one its own copy.)
   */
  @State(Scope.Thread)
  public static class GraphWithoutPolicyEachTime extends GraphWithoutPolicy {
    @Setup(Level.Invocation)
    public void removePolicy() {
      graph.deletePolicy(policy.ref());
    }
  }

  @Benchmark
  public GraphDelta addThenDelete(GraphWithoutPolicy state, Blackhole blackhole) {
    blackhole.consume(state.graph.upsertPolicy(state.policy));
    return state.graph.deletePolicy(state.policy.ref());
  }

  @Benchmark
  public GraphDelta addOnly(GraphWithoutPolicyEachTime state) {
    GraphDelta added = state.graph.upsertPolicy(state.policy);
    if (added.isEmpty()) {
      throw new IllegalStateException("the policy was still in the graph: nothing was added");
    }
    return added;
  }
}
