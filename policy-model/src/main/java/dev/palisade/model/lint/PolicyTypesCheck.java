package dev.palisade.model.lint;

import dev.palisade.model.Direction;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * PAL006: Egress listed without egress rules denies all egress, DNS included; PAL009: rules of a
 * direction that an explicit policyTypes leaves out are ignored.
 */
final class PolicyTypesCheck implements PolicyCheck {

  @Override
  public void check(Policy policy, RuleGraph graph, Consumer<Finding> findings) {
    if (policy.isolates(Direction.EGRESS) && policy.egress().isEmpty()) {
      findings.accept(LintCode.PAL006.finding(policy.ref(),
          "policyTypes lists Egress and there are no egress rules: the selected pods may send"
              + " nothing, DNS lookups included",
          "if not intended, add egress rules, at least for DNS (UDP and TCP 53), or drop"
              + " Egress from policyTypes"));
    }
    for (Direction direction : Direction.values()) {
      List<?> written = direction == Direction.INGRESS ? policy.ingress() : policy.egress();
      if (!written.isEmpty() && !policy.isolates(direction)) {
        String name = direction.title().toLowerCase(Locale.ROOT);
        findings.accept(LintCode.PAL009.finding(policy.ref(),
            written.size() + " " + name + " rule(s) are ignored: policyTypes "
                + typesOf(policy) + " does not list " + direction.title(),
            "add " + direction.title() + " to policyTypes, or delete the " + name + " rules"));
      }
    }
  }

  private static String typesOf(Policy policy) {
    return policy.policyTypes().stream().map(Direction::title).toList().toString();
  }
}
