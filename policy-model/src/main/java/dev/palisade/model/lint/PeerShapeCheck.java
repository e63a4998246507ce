package dev.palisade.model.lint;

import dev.palisade.model.NamespaceScope;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * PAL002: the classic indentation mistake. Written as
 *
 * <pre>
 * - namespaceSelector: {matchLabels: {team: blue}}
 * - podSelector: {matchLabels: {app: web}}
 * </pre>
 *
 * the two items are alternatives (every pod of team=blue namespaces, OR app=web pods of the
 * policy's own namespace), where one item holding both selectors (AND) was most likely meant.
 * A podSelector-only item with an empty selector is left alone: combined with the namespace
 * selector it would add nothing, so writing it apart is deliberate.
 */
final class PeerShapeCheck implements PolicyCheck {

  @Override
  public void check(Policy policy, RuleGraph graph, Consumer<Finding> findings) {
    for (RuleSite site : RuleSite.of(policy)) {
      Optional<PeerSelector> namespacesOnly = site.rule().peers().stream()
          .flatMap(peer -> selector(peer).stream())
          .filter(PeerShapeCheck::isNamespaceSelectorOnly)
          .findFirst();
      Optional<PeerSelector> podsOnly = site.rule().peers().stream()
          .flatMap(peer -> selector(peer).stream())
          .filter(PeerShapeCheck::isPodSelectorOnly)
          .findFirst();
      if (namespacesOnly.isPresent() && podsOnly.isPresent()) {
        findings.accept(LintCode.PAL002.finding(policy.ref(),
            site + "." + site.peersField() + " has one item with only namespaceSelector ("
                + ((NamespaceScope.Matching) namespacesOnly.get().namespaces()).selector()
                + ") and another with only podSelector (" + podsOnly.get().pods()
                + "): they match either, not pods that satisfy both",
            "to require both, put podSelector in the namespaceSelector's list item: drop the"
                + " '-' before podSelector"));
      }
    }
  }

  private static Optional<PeerSelector> selector(Peer peer) {
    return peer instanceof PeerSelector selector ? Optional.of(selector) : Optional.empty();
  }

  private static boolean isNamespaceSelectorOnly(PeerSelector selector) {
    return selector.namespaces() instanceof NamespaceScope.Matching
        && selector.pods().matchesEverything();
  }

  private static boolean isPodSelectorOnly(PeerSelector selector) {
    return selector.namespaces() instanceof NamespaceScope.Named
        && !selector.pods().matchesEverything();
  }
}
