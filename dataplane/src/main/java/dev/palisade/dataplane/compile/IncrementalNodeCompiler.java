package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.compile.NodeCompiler.Compilation;
import dev.palisade.dataplane.compile.SetCatalog.CompiledSet;
import dev.palisade.dataplane.plan.IncrementalNodePlanner;
import dev.palisade.dataplane.plan.NodePlan;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.RuleGraph;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Compiles one node again and again as the graph changes, doing only the work the changes need,
 * with the same result as {@link NodeCompiler#compile} on the graph as it is (a property test
 * holds it to that over random change sequences). It plans with an {@link
 * IncrementalNodePlanner} and renders only what the plan changed:
 *
 * <ul>
 *   <li>A plan with the previous plan's endpoints and rules (the same objects: the planner only
 *       refreshed members) keeps the chains and hooks, and renders again only the sets whose
 *       members are new objects.
 *   <li>Any other plan renders the chains anew; sets whose members are the previous objects are
 *       reused as they were.
 * </ul>
 * Unchanged chains and sets keep their identity, which is what makes the kernel writer's diff of
 * an unchanged node cheap.
 *
 * <p>Not thread-safe: one owner (the agent's sync thread), which also owns the graph while it
 * compiles.
 */
public final class IncrementalNodeCompiler {
  private final IncrementalNodePlanner planner;
  private final DataplaneSettings settings;
  private Compilation last;
  private long fullCompilations;
  private long setOnlyCompilations;

  public IncrementalNodeCompiler(String nodeName, DataplaneSettings settings) {
    this.planner = new IncrementalNodePlanner(nodeName);
    this.settings = settings;
  }

  /**
   * The state the node should hold for the graph as it is now.
   *
   * @param changes everything the graph changed since the previous call (ignored on the first)
   */
  public DesiredState compile(RuleGraph graph, GraphDelta changes) {
    NodePlan plan = planner.plan(graph, changes);
    if (last != null && plan == last.plan()) {
      return last.state();
    }
    if (last != null && sameEndpointsAndRules(plan, last.plan())) {
      last = refreshSets(plan);
      setOnlyCompilations++;
    } else {
      last = NodeCompiler.render(plan, settings, last);
      fullCompilations++;
    }
    return last.state();
  }

  /** Compilations that rendered the node's chains (the first one included). */
  public long fullCompilations() {
    return fullCompilations;
  }

  /** Compilations that only rendered the members of changed sets. */
  public long setOnlyCompilations() {
    return setOnlyCompilations;
  }

  private static boolean sameEndpointsAndRules(NodePlan plan, NodePlan previous) {
    for (IpFamily family : IpFamily.values()) {
      if (plan.family(family).endpoints() != previous.family(family).endpoints()
          || plan.family(family).rules() != previous.family(family).rules()) {
        return false;
      }
    }
    return true;
  }

  /** The previous state with the sets whose members the plan changed rendered anew. */
  private Compilation refreshSets(NodePlan plan) {
    Map<IpFamily, FamilyCompiler.Compiled> families = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      FamilyCompiler.Compiled was = last.families().get(family);
      ImmutableSortedMap<String, CompiledSet> before = was.sets();
      Map<String, CompiledSet> refreshed = new HashMap<>();
      before.forEach((name, set) -> {
        CompiledSet now = set.refreshedFrom(plan.family(family));
        if (now != set) {
          refreshed.put(name, now);
        }
      });
      if (refreshed.isEmpty()) {
        families.put(family, was);
        continue;
      }
      FamilyState state = was.state();
      Map<String, CompiledSet> after = new HashMap<>(before);
      after.putAll(refreshed);
      Map<String, IpSetSpec> specs = new HashMap<>(state.sets());
      refreshed.forEach((name, set) -> specs.put(name, set.spec()));
      families.put(family, was.withSets(new FamilyState(family, state.chains(),
          state.hooks(), ImmutableSortedMap.copyOf(specs), state.owners()),
          ImmutableSortedMap.copyOf(after)));
    }
    return new Compilation(new DesiredState(families.get(IpFamily.V4).state(),
        families.get(IpFamily.V6).state()), plan, ImmutableMap.copyOf(families),
        last.preferredNames());
  }
}
