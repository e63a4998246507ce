package dev.palisade.model;

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
 */
public record PeerSelector(NamespaceScope namespaces, LabelSelector pods) implements Peer {

  /** The pods a policy selects: its {@code podSelector} in its own namespace. */
  public static PeerSelector inNamespace(String namespace, LabelSelector pods) {
    return new PeerSelector(NamespaceScope.named(namespace), pods);
  }

  public boolean matches(Namespace namespace, Pod pod) {
    return namespace.name().equals(pod.ref().namespace())
        && namespaces.matches(namespace) && pods.matches(pod.labels());
  }

  @Override
  public String toString() {
    return "pods " + pods + " in " + namespaces;
  }
}
