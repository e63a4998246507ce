package dev.palisade.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.common.base.Throwables;
import dev.palisade.k8s.StrictKubernetesSerialization;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The objects of one {@code helm template} run, each parsed into its fabric8 model class by
 * {@link StrictKubernetesSerialization}: a field the API does not know fails the parse.
 */
final class RenderedChart {

  private static final YAMLMapper YAML = new YAMLMapper();

  private final List<HasMetadata> objects;

  private RenderedChart(List<HasMetadata> objects) {
    this.objects = List.copyOf(objects);
  }

  static RenderedChart parse(String manifests, KubernetesSerialization serialization) {
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(manifests)) {
      int index = 0;
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        index++;
        if (document == null || document.isNull() || document.isMissingNode()) {
          continue;
        }
        objects.add(parseObject(document, index, serialization));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("helm output is not YAML: " + e.getMessage(), e);
    }
    return new RenderedChart(objects);
  }

  static HasMetadata parseObject(JsonNode document, int index, KubernetesSerialization serialization) {
    String identity = "document " + index + " (" + document.path("kind").asText("no kind") + " "
        + document.path("metadata").path("name").asText("no name") + ")";
    KubernetesResource parsed;
    try {
      parsed = serialization.unmarshal(document.toString());
    } catch (RuntimeException e) {
      // fabric8 wraps Jackson's exception, whose message names the field and its path.
      throw new IllegalArgumentException(
          identity + " is not a valid Kubernetes object: " + Throwables.getRootCause(e).getMessage(), e);
    }
    if (!(parsed instanceof HasMetadata object)) {
      throw new IllegalArgumentException(identity + " parsed into " + parsed.getClass().getName() + ", not an object with metadata");
    }
    return object;
  }

  /** "Kind/name" of every object, sorted. */
  Set<String> kindsAndNames() {
    Set<String> result = new TreeSet<>();
    objects.forEach(object -> result.add(object.getKind() + "/" + object.getMetadata().getName()));
    return result;
  }

  List<HasMetadata> all() {
    return objects;
  }

  /** The one object of this type and name; fails naming what was rendered instead. */
  <T extends HasMetadata> T get(Class<T> type, String name) {
    List<T> matches = objects.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(object -> name.equals(object.getMetadata().getName()))
        .toList();
    if (matches.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + " named " + name + ", rendered: " + kindsAndNames());
    }
    return matches.get(0);
  }
}
