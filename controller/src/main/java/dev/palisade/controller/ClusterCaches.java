package dev.palisade.controller;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import java.util.stream.Stream;

/**
 * The three informer caches the controller reads: the primary (NetworkPolicy) cache and the
 * secondary Pod and Namespace event sources. The analysis reads these caches whole, not
 * {@code Context.getSecondaryResources}: that index is filled from the secondary-to-primary
 * mapping when a pod's event arrives, so a pod created before its policy would be missing.
 */
record ClusterCaches(Cache<NetworkPolicy> policies, Cache<Pod> pods, Cache<Namespace> namespaces) {

  static ClusterCaches of(Context<NetworkPolicy> context) {
    return new ClusterCaches(context.getPrimaryCache(),
        cache(context.eventSourceRetriever().getEventSourceFor(Pod.class), Pod.class),
        cache(context.eventSourceRetriever().getEventSourceFor(Namespace.class),
            Namespace.class));
  }

  Stream<NetworkPolicy> listPolicies() {
    return policies.list();
  }

  Stream<Pod> listPods() {
    return pods.list();
  }

  Stream<Namespace> listNamespaces() {
    return namespaces.list();
  }

  @SuppressWarnings("unchecked")
  private static <R> Cache<R> cache(Object eventSource, Class<R> kind) {
    if (eventSource instanceof Cache<?> cache) {
      return (Cache<R>) cache;
    }
    throw new IllegalStateException("the " + kind.getSimpleName()
        + " event source is not an informer with a cache: " + eventSource);
  }
}
