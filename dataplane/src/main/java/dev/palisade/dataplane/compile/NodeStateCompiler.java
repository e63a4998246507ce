package dev.palisade.dataplane.compile;

import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.RuleGraph;
import java.util.Optional;

/**
 * Compiles a node's iptables state again and again as the graph changes: what the iptables
 * backend compiles with ({@link IncrementalNodeCompiler}; tests give functions of their own).
 */
@FunctionalInterface
public interface NodeStateCompiler {
  /**
   * The state the node should hold for the graph as it is now.
   *
   * @param changes everything the graph changed since the previous call (ignored on the first)
   */
  DesiredState compile(RuleGraph graph, GraphDelta changes);

  /**
   * Takes the path of a change to one of the node's endpoints without changing anything, to warm
   * it up ({@link IncrementalNodeCompiler#rehearse}).
   *
   * @return the state rendered, or empty when there is nothing to rehearse: a compiler that
   *     keeps no state across calls has none
   */
  default Optional<DesiredState> rehearse(RuleGraph graph, int turn) {
    return Optional.empty();
  }

  /**
   * Compiles the graph as a first compilation would, with nothing of this compiler's state read
   * or changed: a warm-up of the first sync's path ({@link IncrementalNodeCompiler#rehearseFirst}).
   *
   * @return the state rendered, or empty when there is nothing to rehearse
   */
  default Optional<DesiredState> rehearseFirst(RuleGraph graph) {
    return Optional.empty();
  }
}
