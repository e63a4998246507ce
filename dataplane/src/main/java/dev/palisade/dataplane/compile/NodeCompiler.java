package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.Maps;
import dev.palisade.dataplane.plan.NodePlan;
import dev.palisade.dataplane.plan.NodePlanner;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import java.util.EnumMap;
import java.util.Map;

/**
 * The compiler's entry point: a pure function from the rule graph, a node's name and the
 * settings to the kernel state that node should hold. It plans the node ({@link NodePlanner})
 * and renders the plan as iptables chains and ipsets; it reads the graph and starts nothing, and
 * the same input gives the same output, whatever order the graph was filled in. An agent
 * compiles through {@link IncrementalNodeCompiler}, which gives the same output for less.
 */
public final class NodeCompiler {
  private NodeCompiler() {}

  public static DesiredState compile(RuleGraph graph, String nodeName,
      DataplaneSettings settings) {
    return render(NodePlanner.plan(graph, nodeName), settings, null).state();
  }

  /**
   * One compilation of the node: its state, its plan, what each family rendered, and the
   * ledger its names came from (the next compilation of the node continues it or starts from
   * its preferred names: {@link NameLedger#next}).
   */
  record Compilation(DesiredState state, NodePlan plan,
      ImmutableMap<IpFamily, FamilyCompiler.Compiled> families, NameLedger ledger) {

    /**
     * Whether this compilation patched the previous one (its ledger continues that one's)
     * rather than rendering the whole plan.
     */
    boolean patched() {
      return ledger.continues();
    }

    /**
     * This compilation with the stages of each family as if {@code pod} had just come: the next
     * one rebuilds them as that pod's event does.
     */
    Compilation withStagesAsIfNew(Pod pod) {
      return new Compilation(state, plan, ImmutableMap.copyOf(Maps.transformEntries(families,
          (family, compiled) -> pod.ip(family).map(compiled::withStagesAsIfNew)
              .orElse(compiled))), ledger);
    }
  }

  /**
   * The plan as iptables state: chains, hooks and sets of both families.
   *
   * @param previous the previous compilation of the same node and settings, whose sets are
   *     reused where the plan's members are the same objects, whose chains where they are
   *     rendered from the same plan objects, whose chain specs where the chains are equal, and
   *     whose ledger hands out its names again ({@link NameLedger#next}); or null
   */
  static Compilation render(NodePlan plan, DataplaneSettings settings, Compilation previous) {
    if (previous == null) {
      return render(plan, settings, null, new NameLedger());
    }
    NameLedger ledger = previous.ledger().next();
    Compilation compilation = render(plan, settings, previous, ledger);
    // A detour in a continued ledger may be a collision with a name of an object gone since,
    // or one a fresh ledger would resolve the other way round: claim again, in order.
    return ledger.detouredAfterContinuing()
        ? render(plan, settings, previous, new NameLedger(ledger.preferredNames()))
        : compilation;
  }

  private static Compilation render(NodePlan plan, DataplaneSettings settings,
      Compilation previous, NameLedger ledger) {
    Map<IpFamily, FamilyCompiler.Compiled> families = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      families.put(family, FamilyCompiler.compile(plan.family(family), settings, ledger,
          previous == null ? FamilyCompiler.Compiled.none(family)
              : previous.families().get(family)));
    }
    return new Compilation(
        new DesiredState(families.get(IpFamily.V4).state(), families.get(IpFamily.V6).state()),
        plan, ImmutableMap.copyOf(families), ledger);
  }
}
