package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.compile.NodeCompiler.Compilation;
import dev.palisade.dataplane.compile.SetCatalog.CompiledSet;
import dev.palisade.dataplane.plan.NodePlan;
import dev.palisade.dataplane.plan.NodePlanner;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Compiles one node again and again as the graph changes, doing only the work the changes need,
 * with the same result as {@link NodeCompiler#compile} on the graph as it is (a property test
 * holds it to that over random change sequences).
 *
 * <ul>
 *   <li>Changes that reach neither a policy nor a pod of this node (a remote pod added, deleted,
 *       relabelled or readdressed; a namespace relabelled) change only the members of the sets
 *       of remote pods: the chains, hooks and every other set stay as they were, and only the
 *       touched sets are recomputed. This is the path of nearly every event in a large cluster,
 *       and it costs the size of the touched sets, not of the cluster.
 *   <li>Anything else recompiles the node's chains; sets whose members the changes did not
 *       touch are reused from the previous compilation, members and all.
 * </ul>
 * Unchanged chains and sets keep their identity, which is what makes the kernel writer's diff of
 * an unchanged node cheap.
 *
 * <p>Not thread-safe: one owner (the agent's sync thread), which also owns the graph while it
 * compiles.
 */
public final class IncrementalNodeCompiler {
  private final String nodeName;
  private final DataplaneSettings settings;
  private Compilation last;
  /** The endpoints of this node in {@link #last}: a change to one of them recompiles chains. */
  private Set<ObjectRef> lastLocalPods = Set.of();
  private long fullCompilations;
  private long setOnlyCompilations;

  public IncrementalNodeCompiler(String nodeName, DataplaneSettings settings) {
    this.nodeName = nodeName;
    this.settings = settings;
  }

  /**
   * The state the node should hold for the graph as it is now.
   *
   * @param changes everything the graph changed since the previous call (ignored on the first)
   */
  public DesiredState compile(RuleGraph graph, GraphDelta changes) {
    if (last != null && changes.isEmpty()) {
      return last.state();
    }
    if (last != null && changes.policies().isEmpty() && !touchesThisNode(graph, changes)) {
      last = refreshSets(NodePlanner.refresh(graph, last.plan(), changes));
      setOnlyCompilations++;
    } else {
      last = NodeCompiler.compile(graph, nodeName, settings, last, changes);
      lastLocalPods = graph.endpointsOnNode(nodeName).stream().map(Pod::ref)
          .collect(Collectors.toUnmodifiableSet());
      fullCompilations++;
    }
    return last.state();
  }

  /** Compilations that recompiled the node's chains (the first one included). */
  public long fullCompilations() {
    return fullCompilations;
  }

  /** Compilations that only recomputed the members of touched sets. */
  public long setOnlyCompilations() {
    return setOnlyCompilations;
  }

  /** Whether a changed pod was, or now is, scheduled on this node. */
  private boolean touchesThisNode(RuleGraph graph, GraphDelta changes) {
    for (ObjectRef ref : changes.pods()) {
      if (lastLocalPods.contains(ref) || graph.pod(ref)
          .map(pod -> Objects.equals(pod.nodeName(), nodeName)).orElse(false)) {
        return true;
      }
    }
    return false;
  }

  /** The previous state with the sets whose members the refreshed plan changed rendered anew. */
  private Compilation refreshSets(NodePlan plan) {
    Map<IpFamily, FamilyState> states = new EnumMap<>(IpFamily.class);
    Map<IpFamily, ImmutableSortedMap<String, CompiledSet>> sets = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      ImmutableSortedMap<String, CompiledSet> before = last.sets().get(family);
      Map<String, CompiledSet> refreshed = new HashMap<>();
      before.forEach((name, set) -> {
        CompiledSet now = set.refreshedFrom(plan.family(family));
        if (now != set) {
          refreshed.put(name, now);
        }
      });
      FamilyState state = last.state().family(family);
      if (refreshed.isEmpty()) {
        states.put(family, state);
        sets.put(family, before);
        continue;
      }
      Map<String, CompiledSet> after = new HashMap<>(before);
      after.putAll(refreshed);
      Map<String, IpSetSpec> specs = new HashMap<>(state.sets());
      refreshed.forEach((name, set) -> specs.put(name, set.spec()));
      states.put(family, new FamilyState(family, state.chains(), state.hooks(),
          ImmutableSortedMap.copyOf(specs), state.owners()));
      sets.put(family, ImmutableSortedMap.copyOf(after));
    }
    return new Compilation(new DesiredState(states.get(IpFamily.V4), states.get(IpFamily.V6)),
        plan, ImmutableMap.copyOf(sets));
  }
}
