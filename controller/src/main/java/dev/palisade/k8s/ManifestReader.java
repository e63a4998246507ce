package dev.palisade.k8s;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one parsed YAML document into the manifests it holds, with fabric8's model classes:
 * a Namespace, a Pod, a networking.k8s.io/v1 NetworkPolicy, or a List of them (as
 * {@code kubectl get -o yaml} prints). Anything else is refused: an unknown kind would silently
 * change nothing, which is worse than an error.
 */
public final class ManifestReader {
  static final String SUPPORTED =
      "Palisade reads Namespace, Pod, NetworkPolicy (networking.k8s.io/v1) and List";

  /**
   * Shared by every reader, built on first use: Jackson builds the deserializers of the large Pod
   * model once per mapper, which takes seconds, and a KubernetesSerialization is thread-safe once
   * built.
   */
  private static final class Strict {
    static final KubernetesSerialization SERIALIZATION = StrictKubernetesSerialization.create();
  }

  private static final class Lenient {
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  }

  private final boolean allowUnknownFields;

  /** A reader that refuses unknown fields, as kube-apiserver's strict decoding does. */
  public ManifestReader() {
    this(false);
  }

  /**
   * @param allowUnknownFields ignore fields the Kubernetes API does not know instead of refusing
   *     them (a typo such as {@code matchLabel:} then reads as an absent field)
   */
  public ManifestReader(boolean allowUnknownFields) {
    this.allowUnknownFields = allowUnknownFields;
  }

  /**
   * @param document a map as {@link YamlDocuments} gives it (null, an empty document, is no
   *     manifest)
   * @param origin where the document is, e.g. {@code a.yaml, document 2}
   */
  public List<Manifest> read(Object document, String origin) {
    if (document == null) {
      return List.of();
    }
    if (!(document instanceof Map<?, ?> fields)) {
      throw InvalidInputException.inSource(origin,
          "expected a Kubernetes object (a mapping with apiVersion and kind)");
    }
    if (fields.get("kind") == null || fields.get("apiVersion") == null) {
      throw InvalidInputException.inSource(origin, "a Kubernetes object needs apiVersion and kind");
    }
    checkNoNullItems(document, FieldPath.ROOT, origin, fields);
    KubernetesSerialization serialization = allowUnknownFields
        ? Lenient.SERIALIZATION : Strict.SERIALIZATION;
    KubernetesResource resource;
    try {
      resource = serialization.convertValue(document, KubernetesResource.class);
    } catch (IllegalArgumentException e) {
      if (!(e.getCause() instanceof JsonMappingException mapping)) {
        throw e;
      }
      SchemaError error = SchemaError.of(mapping);
      throw new InvalidInputException(origin, describe(fields), error.field(), error.problem());
    }
    List<Manifest> manifests = new ArrayList<>();
    if (resource instanceof KubernetesResourceList<?> list) {
      List<? extends HasMetadata> items = list.getItems();
      for (int i = 0; i < items.size(); i++) {
        manifests.add(manifest(items.get(i), origin + ", items[" + i + "]"));
      }
    } else {
      manifests.add(manifest(resource, origin));
    }
    return manifests;
  }

  private static Manifest manifest(Object resource, String origin) {
    if (resource instanceof Namespace || resource instanceof Pod
        || resource instanceof NetworkPolicy) {
      try {
        ApiValidation.check((HasMetadata) resource);
      } catch (InvalidInputException e) {
        throw e.from(origin);
      }
      return new Manifest(origin, (HasMetadata) resource);
    }
    if (!(resource instanceof HasMetadata object)) {
      throw InvalidInputException.inSource(origin, "not a Kubernetes object; " + SUPPORTED);
    }
    String namespace = object.getMetadata() == null ? null : object.getMetadata().getNamespace();
    String name = object.getMetadata() == null ? null : object.getMetadata().getName();
    throw new InvalidInputException(origin, describe(object.getKind(), namespace, name),
        FieldPath.ROOT, "unsupported kind (apiVersion " + object.getApiVersion() + "); "
            + SUPPORTED);
  }

  private static String describe(Map<?, ?> fields) {
    Object metadata = fields.get("metadata");
    Object name = metadata instanceof Map<?, ?> meta ? meta.get("name") : null;
    Object namespace = metadata instanceof Map<?, ?> meta ? meta.get("namespace") : null;
    return describe(String.valueOf(fields.get("kind")),
        namespace == null ? null : namespace.toString(), name == null ? null : name.toString());
  }

  /** As {@link ObjectKey} writes it, but for any kind: the namespace only when written. */
  private static String describe(String kind, String namespace, String name) {
    return kind + " " + (namespace == null ? "" : namespace + "/")
        + (name == null ? "<no name>" : name);
  }

  /**
   * A null list item ({@code ingress: [null]}, {@code - } with nothing after it) means nothing in
   * Kubernetes, and decoding would turn it into an empty item: an empty ingress rule allows
   * everything. Refused, naming the item.
   */
  private static void checkNoNullItems(Object value, FieldPath path, String origin,
      Map<?, ?> document) {
    if (value instanceof Map<?, ?> map) {
      map.forEach((key, child) -> checkNoNullItems(child, path.field(String.valueOf(key)),
          origin, document));
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) == null) {
          throw new InvalidInputException(origin, describe(document), path.index(i),
              "a list item must not be empty (null)");
        }
        checkNoNullItems(list.get(i), path.index(i), origin, document);
      }
    }
  }
}
