package dev.palisade.model;

import com.google.common.collect.ImmutableSet;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one change to the {@link RuleGraph} touched, so the dataplane can recompute only that:
 *
 * <ul>
 *   <li>{@code selectors}: selectors whose members changed (a pod entered or left, or a
 *       member's addresses or ports changed), including selectors that appeared or went away;
 *   <li>{@code pods}: pods whose own enforcement changed (addresses, node, ports, being an
 *       endpoint, or the list or isolation of the policies that select them);
 *   <li>{@code policies}: policies created, changed or deleted.
 * </ul>
 */
public record GraphDelta(
    ImmutableSet<PeerSelector> selectors,
    ImmutableSet<ObjectRef> pods,
    ImmutableSet<ObjectRef> policies) {

  public static final GraphDelta EMPTY =
      new GraphDelta(ImmutableSet.of(), ImmutableSet.of(), ImmutableSet.of());

  public boolean isEmpty() {
    return selectors.isEmpty() && pods.isEmpty() && policies.isEmpty();
  }

  /**
   * Everything a run of changes touched, in one pass (folding a two-way union over a long run,
   * an initial list of 10,000 pods, would copy the growing union at every step).
   */
  public static GraphDelta union(Collection<GraphDelta> deltas) {
    ImmutableSet.Builder<PeerSelector> selectors = ImmutableSet.builder();
    ImmutableSet.Builder<ObjectRef> pods = ImmutableSet.builder();
    ImmutableSet.Builder<ObjectRef> policies = ImmutableSet.builder();
    for (GraphDelta delta : deltas) {
      selectors.addAll(delta.selectors);
      pods.addAll(delta.pods);
      policies.addAll(delta.policies);
    }
    return new GraphDelta(selectors.build(), pods.build(), policies.build());
  }


  /** Collects a delta while one change is applied. Not thread-safe, like the graph. */
  static final class Builder {
    private final ImmutableSet.Builder<PeerSelector> selectors = ImmutableSet.builder();
    private final Set<ObjectRef> pods = new TreeSet<>();
    private final Set<ObjectRef> policies = new TreeSet<>();

    void selector(PeerSelector selector) {
      selectors.add(selector);
    }

    void pod(ObjectRef pod) {
      pods.add(pod);
    }

    void pods(Iterable<ObjectRef> refs) {
      refs.forEach(pods::add);
    }

    void policy(ObjectRef policy) {
      policies.add(policy);
    }

    GraphDelta build() {
      return new GraphDelta(selectors.build(), ImmutableSet.copyOf(pods),
          ImmutableSet.copyOf(policies));
    }
  }
}
