package dev.palisade.controller;

import dev.palisade.model.RuleGraph;
import dev.palisade.model.lint.Finding;
import dev.palisade.model.lint.Linter;
import dev.palisade.model.lint.Severity;
import java.util.List;

/**
 * The policy-model's {@link Linter} as the controller's checks: each finding becomes a notice on
 * its policy, a Warning for errors and warnings, Normal for information, with its hint as the
 * fix.
 */
public final class LinterNotices implements GraphLint {
  private final Linter linter;

  public LinterNotices(Linter linter) {
    this.linter = linter;
  }

  @Override
  public List<PolicyNotice> notices(RuleGraph graph) {
    return linter.lint(graph).stream().map(LinterNotices::notice).toList();
  }

  static PolicyNotice notice(Finding finding) {
    return new PolicyNotice(finding.policy(), finding.code(),
        finding.severity() != Severity.INFO, finding.message() + ". Fix: " + finding.hint());
  }
}
