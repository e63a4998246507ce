package dev.palisade.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which policies a pod or namespace change can affect, from an index on the policy cache.
 *
 * <p>A policy reads pods in its own namespace (its target, and peers with only a podSelector)
 * and, if any peer has a namespaceSelector, pods and labels of any namespace. So a change in
 * namespace {@code n} maps to the policies of {@code n} plus every policy with a
 * namespaceSelector: a superset of the policies whose findings can change, found in time
 * proportional to the answer. Labels are not looked at: a label change can move a pod out of a
 * selector as well as into one.
 */
final class AffectedPolicies {
  static final String INDEX = "palisade-namespaces-read";
  /** The index key of policies that read every namespace. */
  static final String ANY_NAMESPACE = "*";

  private final IndexerResourceCache<NetworkPolicy> policies;

  private AffectedPolicies(IndexerResourceCache<NetworkPolicy> policies) {
    this.policies = policies;
  }

  /** Adds the index to the primary cache; call before the informers start. */
  static AffectedPolicies indexing(IndexerResourceCache<NetworkPolicy> policies) {
    policies.addIndexer(INDEX, AffectedPolicies::namespacesRead);
    return new AffectedPolicies(policies);
  }

  /** The index function: the policy's namespace, and {@link #ANY_NAMESPACE} if it applies. */
  static List<String> namespacesRead(NetworkPolicy policy) {
    List<String> keys = new ArrayList<>();
    keys.add(policy.getMetadata().getNamespace());
    if (hasNamespaceSelector(policy.getSpec())) {
      keys.add(ANY_NAMESPACE);
    }
    return keys;
  }

  SecondaryToPrimaryMapper<Pod> forPods() {
    return pod -> inNamespace(pod.getMetadata().getNamespace());
  }

  SecondaryToPrimaryMapper<Namespace> forNamespaces() {
    return namespace -> inNamespace(namespace.getMetadata().getName());
  }

  private Set<ResourceID> inNamespace(String namespace) {
    return Stream.concat(policies.byIndex(INDEX, namespace).stream(),
            policies.byIndex(INDEX, ANY_NAMESPACE).stream())
        .map(HasMetadata.class::cast)
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static boolean hasNamespaceSelector(NetworkPolicySpec spec) {
    if (spec == null) {
      return false;
    }
    Stream<NetworkPolicyPeer> ingressPeers = nonNull(spec.getIngress()).stream()
        .flatMap(rule -> nonNull(rule.getFrom()).stream());
    Stream<NetworkPolicyPeer> egressPeers = nonNull(spec.getEgress()).stream()
        .flatMap(rule -> nonNull(rule.getTo()).stream());
    return Stream.concat(ingressPeers, egressPeers)
        .filter(Objects::nonNull)
        .anyMatch(peer -> peer.getNamespaceSelector() != null);
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }
}
