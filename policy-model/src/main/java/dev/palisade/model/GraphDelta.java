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
 *       endpoint, or the list or isolation of the policies that select them), and pods waiting
 *       for their address on a node ({@link Pod#awaitsAddress}) that started or stopped waiting
 *       or changed labels or node meanwhile (a node prepares the policies that will select
 *       them: {@link RuleGraph#policiesAwaiting});
 *   <li>{@code policies}: policies created, changed or deleted;
 *   <li>{@code members}: pods that entered or left a selector, or whose addresses or ports
 *       changed while in one (with no policy changed, every change of a selector's members is
 *       one of these pods: selectors appear and go away with policies only).
 * </ul>
 */
public record GraphDelta(
    ImmutableSet<PeerSelector> selectors,
    ImmutableSet<ObjectRef> pods,
    ImmutableSet<ObjectRef> policies,
    ImmutableSet<ObjectRef> members) {

  public static final GraphDelta EMPTY =
      new GraphDelta(ImmutableSet.of(), ImmutableSet.of(), ImmutableSet.of(), ImmutableSet.of());

  /** A delta that names no selector member. */
  public GraphDelta(ImmutableSet<PeerSelector> selectors, ImmutableSet<ObjectRef> pods,
      ImmutableSet<ObjectRef> policies) {
    this(selectors, pods, policies, ImmutableSet.of());
  }

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
    ImmutableSet.Builder<ObjectRef> members = ImmutableSet.builder();
    for (GraphDelta delta : deltas) {
      selectors.addAll(delta.selectors);
      pods.addAll(delta.pods);
      policies.addAll(delta.policies);
      members.addAll(delta.members);
    }
    return new GraphDelta(selectors.build(), pods.build(), policies.build(), members.build());
  }


  /** Collects a delta while one change is applied. Not thread-safe, like the graph. */
  static final class Builder {
    private final ImmutableSet.Builder<PeerSelector> selectors = ImmutableSet.builder();
    private final Set<ObjectRef> pods = new TreeSet<>();
    private final Set<ObjectRef> policies = new TreeSet<>();
    private final ImmutableSet.Builder<ObjectRef> members = ImmutableSet.builder();

    void selector(PeerSelector selector) {
      selectors.add(selector);
    }

    /** A pod whose membership changed in {@code selector}, which it touches. */
    void member(ObjectRef pod, PeerSelector selector) {
      members.add(pod);
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
          ImmutableSet.copyOf(policies), members.build());
    }
  }
}
