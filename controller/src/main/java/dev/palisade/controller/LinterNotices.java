package dev.palisade.controller;

import dev.palisade.model.RuleGraph;
import dev.palisade.model.lint.Finding;
import dev.palisade.model.lint.Linter;
import dev.palisade.model.lint.Severity;
import java.util.List;

/**
 * The policy-model's {@link Linter} as the controller's checks: each finding becomes a notice on
 * its policy, a Warning for errors and warnings, Normal for information, its hint appended.
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
    String text = finding.hint() == null || finding.hint().isBlank()
        ? finding.message()
        : finding.message() + ". Hint: " + finding.hint();
    return new PolicyNotice(finding.policy(), finding.code(),
        finding.severity() != Severity.INFO, text);
  }
}
