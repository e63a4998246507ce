package dev.palisade.model.lint;

import dev.palisade.model.Direction;
import dev.palisade.model.Policy;
import dev.palisade.model.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A rule as the author wrote it, with where it sits ({@code ingress[0]}), so findings can point
 * at it. Lint looks at every written rule, also those that policyTypes makes the API ignore:
 * the API server validates them all.
 */
record RuleSite(Direction direction, int index, Rule rule) {

  static List<RuleSite> of(Policy policy) {
    List<RuleSite> sites = new ArrayList<>();
    for (int i = 0; i < policy.ingress().size(); i++) {
      sites.add(new RuleSite(Direction.INGRESS, i, policy.ingress().get(i)));
    }
    for (int i = 0; i < policy.egress().size(); i++) {
      sites.add(new RuleSite(Direction.EGRESS, i, policy.egress().get(i)));
    }
    return sites;
  }

  /** {@code from} for ingress, {@code to} for egress. */
  String peersField() {
    return direction == Direction.INGRESS ? "from" : "to";
  }

  @Override
  public String toString() {
    return direction.title().toLowerCase(Locale.ROOT) + "[" + index + "]";
  }
}
