package dev.palisade.model;

/**
 * Which namespaces a peer selector looks in: the policy's own namespace (a peer with only
 * {@code podSelector}, and every policy's target pods) or the namespaces that a
 * {@code namespaceSelector} matches.
 */
public sealed interface NamespaceScope {

  boolean matches(Namespace namespace);

  static NamespaceScope named(String namespace) {
    return new Named(namespace);
  }

  static NamespaceScope matching(LabelSelector selector) {
    return new Matching(selector);
  }

  record Named(String namespace) implements NamespaceScope {
    @Override
    public boolean matches(Namespace candidate) {
      return candidate.name().equals(namespace);
    }

    @Override
    public String toString() {
      return "namespace " + namespace;
    }
  }

  record Matching(LabelSelector selector) implements NamespaceScope {
    @Override
    public boolean matches(Namespace candidate) {
      return selector.matches(candidate.labels());
    }

    @Override
    public String toString() {
      return selector.matchesEverything() ? "all namespaces" : "namespaces " + selector;
    }
  }
}
