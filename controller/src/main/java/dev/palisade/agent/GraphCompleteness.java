package dev.palisade.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Whether the rule graph holds exactly what the informers' caches hold, so that a sync may
 * compile it.
 *
 * <p>Why this is needed: a fabric8 informer reports {@code hasSynced()} once its cache holds the
 * initial list, while the event handlers that feed the graph, on another thread, may still be
 * working through it. A sync that compiled in between would enforce a partial cluster: a
 * default-deny not yet taken in leaves pods open, an allow rule not yet taken in drops traffic
 * that policy allows. A relist (after 410 Gone) reopens the same gap, and while a watch is down
 * the graph may be missing changes nobody can see. So the graph counts as complete only when
 * every informer watches and, per kind, the feed has taken in every cached object at the
 * cached resource version and nothing else.
 *
 * <p>The check compares two counts per kind: the notifications the informer's store has made
 * and those the graph has taken in. Only when they differ does it walk the cache (a hash lookup
 * and a string comparison per object), to say how far behind the graph is.
 *
 * <p>Thread-safe: the sync thread calls {@link #missing()} while informer threads update the
 * caches and the feed; a concurrent change can only make the answer "incomplete", which the
 * next poll revisits. Everyone else ({@code /status}, the {@code palisade_model_complete}
 * gauge) asks {@link #missingAtAGlance()}, which never walks: at 10,000 pods the walk costs
 * milliseconds, and readers walking it too (a client polling {@code /status}) took CPU, and
 * once a shared lock, from the syncs.
 */
final class GraphCompleteness {
  /**
   * @param cacheChanges how many notifications the informer's store has made (objects added,
   *     removed or at a new version)
   * @param changesTakenIn how many of those the graph has taken in
   */
  private record Source(String kind, SharedIndexInformer<? extends HasMetadata> informer,
      Map<String, String> takenIn, LongSupplier cacheChanges, LongSupplier changesTakenIn) {}

  private final List<Source> sources = new CopyOnWriteArrayList<>();

  /**
   * Follows one kind.
   *
   * @param takenIn per cache key ({@link Cache#metaNamespaceKeyFunc}), the resource version of
   *     the object the graph last took in; kept by the feed, read here
   * @param cacheChanges see {@link TrimmingItemStore#versionChanges}
   * @param changesTakenIn see {@link ModelFeed.Handler#versionChangesTakenIn}
   */
  void track(String kind, SharedIndexInformer<? extends HasMetadata> informer,
      Map<String, String> takenIn, LongSupplier cacheChanges, LongSupplier changesTakenIn) {
    sources.add(new Source(kind, informer, takenIn, cacheChanges, changesTakenIn));
  }

  /** Whether every informer has received its initial list (its cache may be ahead of the graph). */
  boolean initialListsReceived() {
    return sources.stream().allMatch(source -> source.informer().hasSynced());
  }

  /** What the caches hold per kind, e.g. "108 Namespace, 10014 Pod, 1001 NetworkPolicy". */
  String cached() {
    return sources.stream()
        .map(source -> source.informer().getStore().list().size() + " " + source.kind())
        .collect(Collectors.joining(", "));
  }

  /** What the graph holds per kind, e.g. "108 Namespace, 10014 Pod, 1001 NetworkPolicy". */
  String takenIn() {
    return sources.stream().map(source -> source.takenIn().size() + " " + source.kind())
        .collect(Collectors.joining(", "));
  }

  /**
   * For readers on other threads ({@code /status}, the {@code palisade_model_complete} gauge):
   * the same answer as {@link #missing()} without its walk of the cache, which is the sync
   * thread's to pay. A graph behind its cache is told by the notifications not taken in yet.
   */
  Optional<String> missingAtAGlance() {
    return answer(source -> {
      long behind = source.cacheChanges().getAsLong() - source.changesTakenIn().getAsLong();
      return behind == 0 ? Optional.empty()
          : Optional.of(source.kind() + ": " + behind + " changes not taken in yet");
    });
  }

  /**
   * Empty when the graph holds every informer's complete view; otherwise what it lacks, in the
   * operator's terms, e.g. {@code "Pod: 345 of 10014 taken in"}. The sync thread's gate.
   */
  Optional<String> missing() {
    return answer(source -> {
      if (source.cacheChanges().getAsLong() == source.changesTakenIn().getAsLong()) {
        // Every notification the store made has one handler call, which the feed counts when
        // the graph takes it in: equal counts are the common case and cost nothing; unequal,
        // the walk says how far behind the graph is (and has the last word, should a count
        // ever be off: it then makes syncs slower, never wrong).
        return Optional.empty();
      }
      // Walks the feed's keys, not the cache's objects: the keys are strings the feed keeps
      // (their hashes computed once), where the cache's objects would need a key built each.
      // Same count, and every key of the feed cached at the same version: the same view.
      Store<? extends HasMetadata> cache = source.informer().getStore();
      long current = source.takenIn().entrySet().stream().filter(taken -> {
        HasMetadata cached = cache.getByKey(taken.getKey());
        return cached != null
            && Objects.equals(taken.getValue(), cached.getMetadata().getResourceVersion());
      }).count();
      int cachedCount = cache.listKeys().size();
      return current == cachedCount && source.takenIn().size() == cachedCount
          ? Optional.empty()
          : Optional.of(source.kind() + ": " + current + " of " + cachedCount + " taken in");
    });
  }

  /** The informers' state, then, while they watch, {@code behind}'s word on each kind. */
  private Optional<String> answer(Function<Source, Optional<String>> behind) {
    List<String> gaps = new ArrayList<>();
    for (Source source : sources) {
      if (!source.informer().hasSynced()) {
        gaps.add(source.kind() + ": initial list not received yet");
      } else if (!source.informer().isWatching()) {
        gaps.add(source.kind() + ": watch not running");
      } else {
        behind.apply(source).ifPresent(gaps::add);
      }
    }
    return gaps.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", gaps));
  }
}