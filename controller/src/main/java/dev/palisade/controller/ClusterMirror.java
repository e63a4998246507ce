package dev.palisade.controller;

import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.RuleGraph;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.Map;

/**
 * One {@link RuleGraph} kept in step with the informer caches, incrementally: each sync walks
 * the caches once (a map lookup and a resourceVersion comparison per object) and feeds the
 * graph only what changed, so its selector indices are updated, never rebuilt.
 *
 * <p>Not thread-safe: {@link ClusterAnalyzer} serializes access.
 */
final class ClusterMirror {
  private final RuleGraph graph = new RuleGraph();
  private final MirroredKind<Namespace, String, dev.palisade.model.Namespace> namespaces;
  private final MirroredKind<Pod, ObjectRef, dev.palisade.model.Pod> pods;
  private final MirroredKind<NetworkPolicy, ObjectRef, dev.palisade.model.Policy> policies;

  ClusterMirror(ModelConverter converter) {
    namespaces = new MirroredKind<>(namespace -> namespace.getMetadata().getName(),
        converter::namespace, graph::upsertNamespace, graph::deleteNamespace);
    pods = new MirroredKind<>(ClusterMirror::ref, converter::pod, graph::upsertPod,
        graph::deletePod);
    policies = new MirroredKind<>(ClusterMirror::ref, converter::networkPolicy,
        graph::upsertPolicy, graph::deletePolicy);
  }

  /**
   * Brings the graph in line with the caches; true when something the analysis sees changed.
   * Namespaces go first so that pods are matched against their namespace's current labels.
   */
  boolean sync(ClusterCaches caches) {
    boolean changed = namespaces.sync(caches.listNamespaces());
    changed |= pods.sync(caches.listPods());
    changed |= policies.sync(caches.listPolicies());
    return changed;
  }

  /** The graph; read it only while holding the analyzer's lock. */
  RuleGraph graph() {
    return graph;
  }

  /** Policies the converter refused, each with the problem, e.g. a bad CIDR. */
  Map<ObjectRef, String> invalidPolicies() {
    return policies.problems();
  }

  /** Every policy in the cache, valid or not. */
  int policyCount() {
    return policies.size();
  }

  static ObjectRef ref(HasMetadata object) {
    return ObjectRef.of(object.getMetadata().getNamespace(), object.getMetadata().getName());
  }
}
