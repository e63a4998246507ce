package dev.palisade.model;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A namespace and its labels. A real API server always sets
 * {@code kubernetes.io/metadata.name=<name>} on every namespace; this type does the same, so a
 * namespace built from a manifest that lacks the label behaves as it would in a cluster.
 */
public record Namespace(String name, ImmutableSortedMap<String, String> labels) {
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";

  public Namespace {
    checkArgument(name != null && !name.isEmpty(), "namespace name must not be empty");
    Map<String, String> withName = new TreeMap<>(labels);
    withName.put(NAME_LABEL, name);
    labels = ImmutableSortedMap.copyOf(withName);
  }

  public static Namespace of(String name, Map<String, String> labels) {
    return new Namespace(name, ImmutableSortedMap.copyOf(labels));
  }
}
