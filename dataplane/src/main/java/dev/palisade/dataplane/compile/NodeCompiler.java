package dev.palisade.dataplane.compile;

import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.IpFamily;
import dev.palisade.model.RuleGraph;

/**
 * The compiler's entry point: a pure function from the rule graph, a node's name and the
 * settings to the kernel state that node should hold. It reads the graph and starts nothing;
 * the same input gives the same output, whatever order the graph was filled in.
 */
public final class NodeCompiler {
  private NodeCompiler() {}

  public static DesiredState compile(RuleGraph graph, String nodeName,
      DataplaneSettings settings) {
    NodeView view = NodeView.of(graph, nodeName);
    NameLedger ledger = new NameLedger();
    return new DesiredState(
        FamilyCompiler.compile(graph, IpFamily.V4, view, settings, ledger),
        FamilyCompiler.compile(graph, IpFamily.V6, view, settings, ledger));
  }
}
