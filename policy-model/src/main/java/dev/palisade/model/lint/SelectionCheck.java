package dev.palisade.model.lint;

import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.util.function.Consumer;

/** PAL001: a policy whose podSelector matches no endpoint pod does nothing (yet). */
final class SelectionCheck implements PolicyCheck {

  @Override
  public void check(Policy policy, RuleGraph graph, Consumer<Finding> findings) {
    if (!graph.matching(policy.targets()).isEmpty()) {
      return;
    }
    String namespace = policy.ref().namespace();
    findings.accept(LintCode.PAL001.finding(policy.ref(),
        "podSelector " + policy.podSelector() + " selects no pod with an IP in namespace "
            + namespace,
        "compare the podSelector with the pods' labels: kubectl get pods -n " + namespace
            + " --show-labels"));
  }
}
