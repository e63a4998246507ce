package dev.palisade.controller;

import dev.palisade.model.RuleGraph;
import java.util.List;

/** The checks the controller runs over the whole cluster's graph. */
@FunctionalInterface
public interface GraphLint {
  /** Every notice for every policy of the graph; must not modify the graph. */
  List<PolicyNotice> notices(RuleGraph graph);
}
