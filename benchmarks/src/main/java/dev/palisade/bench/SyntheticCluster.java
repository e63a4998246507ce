package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.palisade.model.Namespace;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.util.Random;

/**
 * A made-up but realistic cluster for benchmarks: namespaces owned by teams in prod, staging
 * and dev; Deployment-like workloads whose pods carry app, tier, team, env and version labels,
 * named container ports ({@code http}, {@code grpc}, {@code metrics}, ...) and addresses from
 * the pod CIDRs of the nodes they run on; and policies of the {@link PolicyShape shapes} teams
 * write, in realistic proportions and shuffled order.
 *
 * <p>The same size and seed always give the same cluster, object for object.
 */
public record SyntheticCluster(
    ClusterSize size,
    ImmutableList<Namespace> namespaces,
    ImmutableList<Pod> pods,
    ImmutableMap<Policy, PolicyShape> shapes) {

  /** The seed of the cluster that docs/performance.md reports on. */
  public static final long BENCHMARK_SEED = 20_261_127L;

  public static SyntheticCluster generate(ClusterSize size, long seed) {
    // one generator, consumed in a fixed order: layout, then pods, then policies
    Random random = new Random(seed);
    ClusterLayout layout = ClusterLayout.plan(size, random);
    ImmutableList<Pod> pods = PodGenerator.generate(layout, size, random);
    ImmutableMap<Policy, PolicyShape> policies =
        PolicyGenerator.generate(layout, size.policies(), random);
    ImmutableList<Namespace> namespaces = layout.namespaces().stream()
        .map(NamespacePlan::toNamespace)
        .collect(ImmutableList.toImmutableList());
    return new SyntheticCluster(size, namespaces, pods, policies);
  }

  /** Every policy, in the order it was written. */
  public ImmutableList<Policy> policies() {
    return shapes.keySet().asList();
  }

  /** The policies of one shape, in the order they were written. */
  public ImmutableList<Policy> policies(PolicyShape shape) {
    return shapes.entrySet().stream()
        .filter(entry -> entry.getValue() == shape)
        .map(java.util.Map.Entry::getKey)
        .collect(ImmutableList.toImmutableList());
  }

  /** A new graph holding the whole cluster (namespaces, then pods, then policies). */
  public RuleGraph toGraph() {
    return FeedOrder.NAMESPACES_PODS_POLICIES.feed(this, new RuleGraph());
  }
}
