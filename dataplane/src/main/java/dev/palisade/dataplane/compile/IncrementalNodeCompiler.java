package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Maps;
import dev.palisade.dataplane.compile.NodeCompiler.Compilation;
import dev.palisade.dataplane.compile.SetCatalog.CompiledSet;
import dev.palisade.dataplane.plan.Endpoint;
import dev.palisade.dataplane.plan.FamilyPlan;
import dev.palisade.dataplane.plan.IncrementalNodePlanner;
import dev.palisade.dataplane.plan.NodePlan;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.RuleGraph;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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
 *   <li>Any other plan renders the chains: while the names of the previous compilation hold
 *       (its name ledger continues), it patches that compilation, rendering only the chains
 *       whose plan objects are new and the stages whose dispatch targets changed; else it
 *       renders the whole node. Sets whose members are the previous objects are reused as they
 *       were.
 * </ul>
 * Unchanged chains and sets keep their identity, which is what makes the kernel writer's diff of
 * an unchanged node cheap.
 *
 * <p>The second path, taken by a change to one of the node's own pods, runs about 1 % as often
 * as the first in a large cluster, so the JIT is slow to compile it: cold, it costs several
 * times what it costs warm. {@link #rehearse} runs it without changing anything, for the agent
 * to warm it up while idle.
 *
 * <p>Not thread-safe: one owner (the agent's sync thread), which also owns the graph while it
 * compiles.
 */
public final class IncrementalNodeCompiler implements NodeStateCompiler {
  private final String nodeName;
  private final IncrementalNodePlanner planner;
  private final DataplaneSettings settings;
  private Compilation last;
  private long fullCompilations;
  private long patchedCompilations;
  private long setOnlyCompilations;

  public IncrementalNodeCompiler(String nodeName, DataplaneSettings settings) {
    this.nodeName = nodeName;
    this.planner = new IncrementalNodePlanner(nodeName);
    this.settings = settings;
  }

  /**
   * The state the node should hold for the graph as it is now.
   *
   * @param changes everything the graph changed since the previous call (ignored on the first)
   */
  @Override
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
      if (last.patched()) {
        patchedCompilations++;
      }
    }
    return last.state();
  }

  /**
   * Takes the path of a change to one of the node's endpoints and changes nothing: plans the
   * node again as if the endpoint's pod had changed, and renders that plan against the last
   * compilation with the endpoint as a new object, equal to the old. The next compilation starts
   * from the last one as if there had been no rehearsal. The graph must be the one last compiled
   * (no change taken in since), else the state rendered is no state the node should hold.
   *
   * @param turn which endpoint: the node's {@code turn}-th (modulo their number), so that
   *     successive rehearsals take different endpoints' paths
   * @return the state rendered, equal to the last compilation's; empty before the first
   *     compilation and while the node has no endpoint
   */
  @Override
  public Optional<DesiredState> rehearse(RuleGraph graph, int turn) {
    if (last == null) {
      return Optional.empty();
    }
    ImmutableList<Endpoint> endpoints = last.plan().v4().endpoints().isEmpty()
        ? last.plan().v6().endpoints() : last.plan().v4().endpoints();
    if (endpoints.isEmpty()) {
      return Optional.empty();
    }
    Endpoint endpoint = endpoints.get(Math.floorMod(turn, endpoints.size()));
    ObjectRef changed = endpoint.ref();
    NodePlan replanned = planner.replanAsIfChanged(graph, changed);
    // Against stages as if the pod had just come, so that the dispatch trees and gates are
    // built as its address's event builds them (the same ones, which unchanged targets keep).
    return Optional.of(NodeCompiler.render(new NodePlan(renewed(replanned.v4(), changed),
        renewed(replanned.v6(), changed)), settings, last.withStagesAsIfNew(endpoint.pod()))
        .state());
  }

  /**
   * Compiles the graph from nothing, with a compiler of its own, and changes nothing of this
   * one: the path of the first compilation, which runs once per process and over the whole
   * node, so that it runs in the interpreter unless rehearsed. The agent rehearses it on the
   * graph as listed so far, while its initial lists come in.
   *
   * @return the state rendered; empty while the node has no endpoint, whose compilation would
   *     warm up nothing of the first one's
   */
  @Override
  public Optional<DesiredState> rehearseFirst(RuleGraph graph) {
    if (graph.endpointCountOnNode(nodeName) == 0) {
      return Optional.empty();
    }
    return Optional.of(new IncrementalNodeCompiler(nodeName, settings)
        .compile(graph, GraphDelta.EMPTY));
  }

  /** The plan with the endpoint of {@code pod} as a new object, equal to the old. */
  private static FamilyPlan renewed(FamilyPlan plan, ObjectRef pod) {
    return new FamilyPlan(plan.family(), plan.endpoints().stream()
        .map(endpoint -> endpoint.ref().equals(pod) ? new Endpoint(endpoint.pod(),
            endpoint.ingressPolicies(), endpoint.egressPolicies()) : endpoint)
        .collect(ImmutableList.toImmutableList()), plan.rules(), plan.members());
  }

  /** Compilations that rendered the node's chains (the first one included). */
  public long fullCompilations() {
    return fullCompilations;
  }

  /**
   * Of the {@link #fullCompilations}, those that patched the previous compilation: rendered
   * only the chains whose plan objects changed.
   */
  public long patchedCompilations() {
    return patchedCompilations;
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
      // The same names in the same order: copied in order, not sorted again.
      ImmutableSortedMap<String, CompiledSet> after = ImmutableSortedMap.copyOfSorted(
          Maps.transformEntries(before, (name, set) -> refreshed.getOrDefault(name, set)));
      ImmutableSortedMap<String, IpSetSpec> specs = ImmutableSortedMap.copyOfSorted(
          Maps.transformEntries(state.sets(), (name, spec) -> {
            CompiledSet now = refreshed.get(name);
            return now == null ? spec : now.spec();
          }));
      families.put(family, was.withSets(new FamilyState(family, state.chains(),
          state.hooks(), specs, state.owners()), after));
    }
    return new Compilation(new DesiredState(families.get(IpFamily.V4).state(),
        families.get(IpFamily.V6).state()), plan, ImmutableMap.copyOf(families),
        last.ledger());
  }
}
