package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.compile.SetCatalog.CompiledSet;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.RuleGraph;
import java.util.EnumMap;
import java.util.Map;

/**
 * The compiler's entry point: a pure function from the rule graph, a node's name and the
 * settings to the kernel state that node should hold. It reads the graph and starts nothing;
 * the same input gives the same output, whatever order the graph was filled in. An agent
 * compiles through {@link IncrementalNodeCompiler}, which gives the same output for less.
 */
public final class NodeCompiler {
  private NodeCompiler() {}

  public static DesiredState compile(RuleGraph graph, String nodeName,
      DataplaneSettings settings) {
    return compile(graph, nodeName, settings, null, GraphDelta.EMPTY).state();
  }

  /**
   * One compilation of the node: its state, and per family its sets with their sources.
   *
   * @param previous the previous compilation of the same node and settings, whose untouched
   *     sets are reused, or null
   * @param changes what the graph changed since {@code previous}
   */
  record Compilation(DesiredState state,
      ImmutableMap<IpFamily, ImmutableSortedMap<String, CompiledSet>> sets) {}

  static Compilation compile(RuleGraph graph, String nodeName, DataplaneSettings settings,
      Compilation previous, GraphDelta changes) {
    NodeView view = NodeView.of(graph, nodeName);
    NameLedger ledger = new NameLedger();
    Map<IpFamily, FamilyCompiler.Compiled> families = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      SetMemo memo = previous == null ? SetMemo.NONE
          : new SetMemo(previous.sets().get(family), changes);
      families.put(family, FamilyCompiler.compile(graph, family, view, settings, ledger, memo));
    }
    return new Compilation(
        new DesiredState(families.get(IpFamily.V4).state(), families.get(IpFamily.V6).state()),
        ImmutableMap.of(IpFamily.V4, families.get(IpFamily.V4).sets(),
            IpFamily.V6, families.get(IpFamily.V6).sets()));
  }
}
