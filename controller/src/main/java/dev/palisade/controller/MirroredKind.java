package dev.palisade.controller;

import dev.palisade.k8s.InvalidInputException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the rule graph's copy of one kind in step with an informer cache. A sync walks the
 * cache, converts only objects whose resourceVersion changed, hands the graph only model values
 * that changed (a pod status update that changes nothing the model holds costs one conversion,
 * no graph work) and deletes what left the cache. An object the converter refuses is taken out
 * of the graph and remembered with its problem until it is fixed or deleted.
 *
 * <p>Not thread-safe: its {@link ClusterMirror} serializes syncs.
 *
 * @param <T> the fabric8 type
 * @param <K> the key the graph knows the object by
 * @param <M> the model type
 */
final class MirroredKind<T extends HasMetadata, K, M> {
  private static final Logger log = LoggerFactory.getLogger(MirroredKind.class);

  private record Seen<M>(String resourceVersion, M model, String problem) {}

  private final Function<T, K> key;
  private final Function<T, M> convert;
  private final Consumer<M> upsert;
  private final Consumer<K> delete;
  private final Map<K, Seen<M>> seen = new HashMap<>();

  MirroredKind(Function<T, K> key, Function<T, M> convert, Consumer<M> upsert,
      Consumer<K> delete) {
    this.key = key;
    this.convert = convert;
    this.upsert = upsert;
    this.delete = delete;
  }

  /** Brings the graph in line with the cache; true when a model value or a problem changed. */
  boolean sync(Stream<T> cached) {
    boolean changed = false;
    Set<K> present = new HashSet<>();
    for (T object : (Iterable<T>) cached::iterator) {
      K objectKey = key.apply(object);
      present.add(objectKey);
      String version = object.getMetadata().getResourceVersion();
      Seen<M> before = seen.get(objectKey);
      if (before != null && Objects.equals(before.resourceVersion(), version)) {
        continue;
      }
      Seen<M> after = read(object, version);
      seen.put(objectKey, after);
      if (before != null && Objects.equals(before.model(), after.model())
          && Objects.equals(before.problem(), after.problem())) {
        continue;
      }
      changed = true;
      if (after.model() != null) {
        upsert.accept(after.model());
      } else if (before != null && before.model() != null) {
        delete.accept(objectKey);
      }
    }
    for (var gone = seen.entrySet().iterator(); gone.hasNext(); ) {
      var entry = gone.next();
      if (!present.contains(entry.getKey())) {
        gone.remove();
        changed = true;
        if (entry.getValue().model() != null) {
          delete.accept(entry.getKey());
        }
      }
    }
    return changed;
  }

  /** The objects the converter refused, with the problem (already naming object and field). */
  Map<K, String> problems() {
    Map<K, String> problems = new HashMap<>();
    seen.forEach((objectKey, entry) -> {
      if (entry.problem() != null) {
        problems.put(objectKey, entry.problem());
      }
    });
    return problems;
  }

  int size() {
    return seen.size();
  }

  private Seen<M> read(T object, String version) {
    try {
      return new Seen<>(version, convert.apply(object), null);
    } catch (InvalidInputException invalid) {
      // Once per resourceVersion: a refused object is converted again only when it changes.
      log.warn("left out of the analysis: {}", invalid.getMessage());
      return new Seen<>(version, null, invalid.getMessage());
    }
  }
}
