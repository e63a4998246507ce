package dev.palisade.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether the rule graph holds exactly what the informers' caches hold, so that a sync may
 * compile it.
 *
 * <p>Why this is needed: a fabric8 informer reports {@code hasSynced()} once its cache holds the
 * initial list, but hands the objects to the event handlers that feed the graph later, one by
 * one on another thread. A sync that compiled in between would enforce a partial cluster: a
 * default-deny not yet taken in leaves pods open, an allow rule not yet taken in drops traffic
 * that policy allows. A relist (after 410 Gone) reopens the same gap, and while a watch is down
 * the graph may be missing changes nobody can see. So the graph counts as complete only when
 * every informer watches and, per kind, the feed has taken in every cached object at the
 * cached resource version and nothing else.
 *
 * <p>The check walks the caches: a hash lookup and a string comparison per object.
 *
 * <p>Thread-safe: the sync thread calls {@link #missing()} while informer threads update the
 * caches and the feed; a concurrent change can only make the answer "incomplete", which the
 * next poll revisits.
 */
final class GraphCompleteness {
  private record Source(String kind, SharedIndexInformer<? extends HasMetadata> informer,
      Map<String, String> takenIn) {}

  private final List<Source> sources = new ArrayList<>();

  /**
   * Follows one kind.
   *
   * @param takenIn per cache key ({@link Cache#metaNamespaceKeyFunc}), the resource version of
   *     the object the graph last took in; kept by the feed, read here
   */
  synchronized void track(String kind, SharedIndexInformer<? extends HasMetadata> informer,
      Map<String, String> takenIn) {
    sources.add(new Source(kind, informer, takenIn));
  }

  /** What the caches hold per kind, e.g. "108 Namespace, 10014 Pod, 1001 NetworkPolicy". */
  synchronized String cached() {
    return sources.stream()
        .map(source -> source.informer().getStore().list().size() + " " + source.kind())
        .collect(Collectors.joining(", "));
  }

  /** What the graph holds per kind, e.g. "108 Namespace, 10014 Pod, 1001 NetworkPolicy". */
  synchronized String takenIn() {
    return sources.stream().map(source -> source.takenIn().size() + " " + source.kind())
        .collect(Collectors.joining(", "));
  }

  /**
   * Empty when the graph holds every informer's complete view; otherwise what it lacks, in the
   * operator's terms, e.g. {@code "Pod: 345 of 10014 taken in"}.
   */
  synchronized Optional<String> missing() {
    List<String> gaps = new ArrayList<>();
    for (Source source : sources) {
      if (!source.informer().hasSynced()) {
        gaps.add(source.kind() + ": initial list not received yet");
      } else if (!source.informer().isWatching()) {
        gaps.add(source.kind() + ": watch not running");
      } else {
        List<? extends HasMetadata> cached = source.informer().getStore().list();
        long current = cached.stream().filter(object -> Objects.equals(
            source.takenIn().get(Cache.metaNamespaceKeyFunc(object)),
            object.getMetadata().getResourceVersion())).count();
        if (current != cached.size() || source.takenIn().size() != cached.size()) {
          gaps.add(source.kind() + ": " + current + " of " + cached.size() + " taken in");
        }
      }
    }
    return gaps.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", gaps));
  }
}
