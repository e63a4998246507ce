package dev.palisade.model;

import java.util.Objects;

/**
 * A normalized pod selector: the pods matching {@code pods} in the namespaces of
 * {@code namespaces}. Equal selectors written in different policies are one object, so the
 * dataplane keeps one set for them.
 *
 * <p>"If podSelector is also set, then the NetworkPolicyPeer as a whole selects the pods
 * matching podSelector in the namespaces selected by namespaceSelector. Otherwise it selects
 * all pods in the namespaces selected by namespaceSelector." and "If namespaceSelector is also
 * set [...]. Otherwise it selects the pods matching podSelector in the policy's own namespace."
 * (NetworkPolicyPeer, Kubernetes API reference)
 *
 * <p>A value class rather than a record for one reason: its hash is computed once. Selectors key
 * the graph's memberships, the planner's classes and the renderer's sets, and a label selector's
 * hash walks its labels and expressions: at 10,000 pods a local pod's event looked selectors up
 * some 2,000 times, and hashing them was an eighth of its compile time.
 */
public final class PeerSelector implements Peer {
  private final NamespaceScope namespaces;
  private final LabelSelector pods;
  private final int hash;

  public PeerSelector(NamespaceScope namespaces, LabelSelector pods) {
    this.namespaces = Objects.requireNonNull(namespaces, "namespaces");
    this.pods = Objects.requireNonNull(pods, "pods");
    this.hash = 31 * namespaces.hashCode() + pods.hashCode();
  }

  /** The pods a policy selects: its {@code podSelector} in its own namespace. */
  public static PeerSelector inNamespace(String namespace, LabelSelector pods) {
    return new PeerSelector(NamespaceScope.named(namespace), pods);
  }

  public NamespaceScope namespaces() {
    return namespaces;
  }

  public LabelSelector pods() {
    return pods;
  }

  public boolean matches(Namespace namespace, Pod pod) {
    return namespace.name().equals(pod.ref().namespace())
        && namespaces.matches(namespace) && pods.matches(pod.labels());
  }

  @Override
  public boolean equals(Object other) {
    return this == other || other instanceof PeerSelector that && hash == that.hash
        && namespaces.equals(that.namespaces) && pods.equals(that.pods);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "pods " + pods + " in " + namespaces;
  }
}
