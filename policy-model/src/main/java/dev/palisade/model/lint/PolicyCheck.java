package dev.palisade.model.lint;

import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.util.function.Consumer;

/** One family of lint checks, run on each policy of the graph. */
interface PolicyCheck {
  void check(Policy policy, RuleGraph graph, Consumer<Finding> findings);
}
