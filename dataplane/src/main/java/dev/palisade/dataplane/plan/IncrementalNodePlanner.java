package dev.palisade.dataplane.plan;

import com.google.common.collect.ImmutableSet;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.RuleGraph;
import java.util.Objects;

/**
 * Plans one node again and again as the graph changes, doing only the work the changes need,
 * with the same result as {@link NodePlanner#plan(RuleGraph, String)} on the graph as it is.
 *
 * <ul>
 *   <li>Changes that reach neither a policy nor a pod of this node (a remote pod added,
 *       deleted, relabelled or readdressed; a namespace relabelled) change only the members of
 *       classes: the plan keeps its endpoints and rules (the same objects) and recomputes the
 *       touched members only. This is the path of nearly every event in a large cluster, and it
 *       costs the size of the touched classes, not of the cluster.
 *   <li>Anything else plans the node anew, reusing the members of untouched classes.
 * </ul>
 * A backend tells the first case by identity: endpoints and rules that are the objects of its
 * previous plan need no new rendering.
 *
 * <p>Not thread-safe: one owner (the agent's sync thread), which also owns the graph while it
 * plans.
 */
public final class IncrementalNodePlanner {
  private final String nodeName;
  private final HostMembers hosts = new HostMembers();
  private NodePlan last;
  /**
   * The node's share of the graph {@link #last} was planned from: its endpoints are the pods
   * whose change replans the node.
   */
  private NodePlanner.NodeShare lastShare;

  public IncrementalNodePlanner(String nodeName) {
    this.nodeName = nodeName;
  }

  /**
   * The plan of the node for the graph as it is now.
   *
   * @param changes everything the graph changed since the previous call (ignored on the first)
   */
  public NodePlan plan(RuleGraph graph, GraphDelta changes) {
    if (last != null && changes.isEmpty()) {
      return last;
    }
    hosts.take(changes, ref -> graph.pod(ref).isEmpty());
    if (last != null && changes.policies().isEmpty() && !touchesThisNode(graph, changes)) {
      last = NodePlanner.refresh(graph, last, changes, hosts);
    } else {
      lastShare = NodePlanner.NodeShare.of(graph, nodeName, lastShare, changes);
      last = NodePlanner.plan(graph, lastShare, last, changes, hosts);
    }
    return last;
  }

  /**
   * The plan of the node as if {@code pod}, one of its endpoints, had changed, the graph being
   * the one last planned; keeps nothing (the next {@link #plan} starts from the last one).
   * Takes the path of a change to one of the node's own pods, for a compiler to rehearse it.
   */
  public NodePlan replanAsIfChanged(RuleGraph graph, ObjectRef pod) {
    GraphDelta changes = new GraphDelta(ImmutableSet.of(), ImmutableSet.of(pod),
        ImmutableSet.of());
    // The hosts' members are the last plan's, which is what a plan with no address change
    // leaves them as: nothing of them changes.
    return NodePlanner.plan(graph, NodePlanner.NodeShare.of(graph, nodeName, lastShare, changes),
        last, changes, hosts);
  }

  /** How many pods' host members the planner keeps for reuse (for tests). */
  int hostMembersKept() {
    return hosts.size();
  }

  /** Whether a changed pod was, or now is, scheduled on this node. */
  private boolean touchesThisNode(RuleGraph graph, GraphDelta changes) {
    for (ObjectRef ref : changes.pods()) {
      if (lastShare.holds(ref) || graph.pod(ref)
          .map(pod -> Objects.equals(pod.nodeName(), nodeName)).orElse(false)) {
        return true;
      }
    }
    return false;
  }
}
