package dev.palisade.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An informer cache that holds a trimmed copy of each object ({@link
 * dev.palisade.k8s.TrimmedObjects}): fabric8's supported way to shrink what an informer keeps
 * ({@link io.fabric8.kubernetes.client.informers.SharedIndexInformer#itemStore}). Keyed as
 * fabric8's default store is ({@link Cache#metaNamespaceKeyFunc}), so {@link GraphCompleteness}
 * and the feed agree on keys.
 *
 * <p>The store says it does not hold the objects' full state ({@link #isFullState}), which is
 * true and has a purpose: fabric8 then hands the initial list's adds to the handlers page by
 * page, as they arrive, instead of holding them back until the whole list is cached. The
 * handlers convert and the sync thread takes the cluster into the graph while the later pages
 * are still on the wire: at 10,000 pods that is most of the graph's building (hundreds of
 * milliseconds of a cold JVM) off the cold start's critical path.
 *
 * <p>What the handlers see: an add, an update's new object and a watched delete come from the
 * API server in full; an update's previous object and the deletions a relist finds come from
 * here, trimmed. The model converter gives the same value for both.
 *
 * <p>Thread-safe: fabric8 writes from one thread at a time, reads come from any.
 */
final class TrimmingItemStore<T extends HasMetadata> implements ItemStore<T> {
  private final ConcurrentHashMap<String, T> items = new ConcurrentHashMap<>();
  private final UnaryOperator<T> trim;
  /** Objects added, removed or changed in version: each makes one handler notification. */
  private final AtomicLong versionChanges = new AtomicLong();

  TrimmingItemStore(UnaryOperator<T> trim) {
    this.trim = trim;
  }

  @Override
  public String getKey(T object) {
    return Cache.metaNamespaceKeyFunc(object);
  }

  @Override
  public T put(String key, T object) {
    T previous = items.put(key, trim.apply(object));
    if (previous == null || !Objects.equals(previous.getMetadata().getResourceVersion(),
        object.getMetadata().getResourceVersion())) {
      versionChanges.incrementAndGet();
    }
    return previous;
  }

  @Override
  public T remove(String key) {
    T previous = items.remove(key);
    if (previous != null) {
      versionChanges.incrementAndGet();
    }
    return previous;
  }

  /**
   * How many times an object was added, removed or changed its version: as many notifications
   * reach the handlers, later ({@link GraphCompleteness} compares this with what the feed took
   * in).
   */
  long versionChanges() {
    return versionChanges.get();
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet().stream();
  }

  @Override
  public Stream<T> values() {
    return items.values().stream();
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public T get(String key) {
    return items.get(key);
  }

  /** False: the copies are trimmed; and so fabric8 does not defer the initial list's adds. */
  @Override
  public boolean isFullState() {
    return false;
  }
}
