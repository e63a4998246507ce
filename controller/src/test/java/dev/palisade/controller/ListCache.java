package dev.palisade.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** A hand-written informer cache over a list, with indexers: a fake for JOSDK's caches. */
final class ListCache<T extends HasMetadata> implements IndexerResourceCache<T> {
  private final Map<ResourceID, T> objects = new HashMap<>();
  private final Map<String, Function<T, List<String>>> indexers = new HashMap<>();

  /** Adds or replaces an object, as an informer would on an event. */
  ListCache<T> put(T object) {
    objects.put(ResourceID.fromResource(object), object);
    return this;
  }

  void remove(T object) {
    objects.remove(ResourceID.fromResource(object));
  }

  @Override
  public void addIndexers(Map<String, Function<T, List<String>>> added) {
    indexers.putAll(added);
  }

  @Override
  public List<T> byIndex(String indexName, String key) {
    Function<T, List<String>> indexer = Objects.requireNonNull(indexers.get(indexName),
        () -> "no index " + indexName);
    List<T> matching = new ArrayList<>();
    objects.values().forEach(object -> {
      if (indexer.apply(object).contains(key)) {
        matching.add(object);
      }
    });
    return matching;
  }

  @Override
  public Stream<T> list(String namespace, Predicate<T> predicate) {
    return list(predicate.and(object ->
        namespace.equals(object.getMetadata().getNamespace())));
  }

  @Override
  public Optional<T> get(ResourceID id) {
    return Optional.ofNullable(objects.get(id));
  }

  @Override
  public Stream<ResourceID> keys() {
    return List.copyOf(objects.keySet()).stream();
  }

  @Override
  public Stream<T> list(Predicate<T> predicate) {
    return List.copyOf(objects.values()).stream().filter(predicate);
  }
}
