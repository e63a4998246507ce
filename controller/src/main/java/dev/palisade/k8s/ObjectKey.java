package dev.palisade.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Identity of a manifest in a cluster: kind, namespace (null for a Namespace) and name. Its
 * string form names the object in messages: {@code NetworkPolicy x/foo}, {@code Namespace x}.
 */
public record ObjectKey(String kind, String namespace, String name) {

  /** The namespace a namespaced object without {@code metadata.namespace} lands in. */
  public static final String DEFAULT_NAMESPACE = "default";

  public static ObjectKey of(HasMetadata object) {
    String kind = object.getKind();
    String name = object.getMetadata() == null ? null : object.getMetadata().getName();
    if (!isNamespaced(kind)) {
      return new ObjectKey(kind, null, name);
    }
    String namespace = object.getMetadata() == null ? null : object.getMetadata().getNamespace();
    return new ObjectKey(kind, namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE
        : namespace, name);
  }

  /** Namespaces are the only cluster-scoped kind Palisade reads. */
  public static boolean isNamespaced(String kind) {
    return !"Namespace".equals(kind);
  }

  @Override
  public String toString() {
    String shownName = name == null || name.isEmpty() ? "<no name>" : name;
    return kind + " " + (namespace == null ? "" : namespace + "/") + shownName;
  }
}
