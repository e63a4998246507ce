package dev.palisade.scenario;

import com.google.common.net.InetAddresses;
import dev.palisade.k8s.FailClosedPolicy;
import dev.palisade.k8s.FieldPath;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.Manifest;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.k8s.ObjectKey;
import dev.palisade.model.Namespace;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.PodPhase;
import dev.palisade.model.RuleGraph;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A simulated cluster: the objects as an API server would store them (fabric8 manifests, so a
 * harness can write them to a real or mock server) and the rule graph built from them. It plays
 * the API server's admission (the {@code kubernetes.io/metadata.name} namespace label, replace
 * semantics, namespace deletion removing what the namespace holds) and kubelet/CNI (node and IP
 * of new pods, see {@link PodPlacement}). Re-applying an existing pod changes only its labels and
 * {@code status.phase}: node, ports and addresses stay, as in Kubernetes. Not thread-safe.
 */
public final class ClusterState {
  private final Map<ObjectKey, HasMetadata> objects = new LinkedHashMap<>();
  private final RuleGraph graph = new RuleGraph();
  /** The policies enforced fail-closed now. */
  private final Map<ObjectKey, FailClosedPolicy> failingClosed = new LinkedHashMap<>();
  private final ModelConverter converter = new ModelConverter();
  private final PodPlacement placement;
  private final int nodes;

  public ClusterState(int nodes) {
    this.placement = new PodPlacement(nodes);
    this.nodes = nodes;
  }

  /** How many nodes the cluster has ({@code node-1} to {@code node-N}). */
  public int nodes() {
    return nodes;
  }

  public RuleGraph graph() {
    return graph;
  }

  /**
   * The policies Palisade enforces fail-closed now: the API server stores them, but Palisade
   * cannot use them as written (see {@link ModelConverter#failClosed}).
   */
  public Collection<FailClosedPolicy> failingClosed() {
    return List.copyOf(failingClosed.values());
  }

  /** The stored objects, in the order they were first created. */
  public Collection<HasMetadata> objects() {
    return List.copyOf(objects.values());
  }

  /**
   * Creates or replaces every manifest, in order. Addresses written in the batch are reserved
   * first, so a pod created earlier in the batch is never assigned an address that a later one
   * names.
   */
  public void apply(List<Manifest> batch) {
    Set<InetAddress> reserved = new HashSet<>();
    for (Manifest manifest : batch) {
      if (manifest.object() instanceof io.fabric8.kubernetes.api.model.Pod pod
          && !objects.containsKey(manifest.key())) {
        located(manifest, () -> converter.pod(pod)).ips().forEach(reserved::add);
      }
    }
    for (Manifest manifest : batch) {
      apply(manifest, reserved, true);
    }
  }

  /**
   * Stores every manifest as a live API server returned it: no admission, so a pending pod
   * keeps having no node and no address (it is no endpoint), where {@link #apply} would schedule
   * it and give it one.
   */
  public void observe(List<Manifest> batch) {
    for (Manifest manifest : batch) {
      apply(manifest, Set.of(), false);
    }
  }

  /** Deletes an object; deleting a namespace deletes its pods and policies too. */
  public boolean delete(ObjectKey key) {
    HasMetadata removed = objects.remove(key);
    if (removed == null) {
      return false;
    }
    switch (key.kind()) {
      case "Namespace" -> {
        List<ObjectKey> contained = objects.keySet().stream()
            .filter(other -> key.name().equals(other.namespace())).toList();
        contained.forEach(this::delete);
        graph.deleteNamespace(key.name());
      }
      case "Pod" -> graph.deletePod(ObjectRef.of(key.namespace(), key.name()));
      case "NetworkPolicy" -> {
        failingClosed.remove(key);
        graph.deletePolicy(ObjectRef.of(key.namespace(), key.name()));
      }
      default -> throw new IllegalStateException("stored an object of kind " + key.kind());
    }
    return true;
  }

  private void apply(Manifest manifest, Set<InetAddress> reserved, boolean admit) {
    HasMetadata object = manifest.object();
    if (object instanceof io.fabric8.kubernetes.api.model.Namespace namespace) {
      Namespace converted = located(manifest, () -> converter.namespace(namespace));
      objects.put(manifest.key(), new NamespaceBuilder(namespace).editMetadata()
          .addToLabels(Namespace.NAME_LABEL, converted.name()).endMetadata().build());
      graph.upsertNamespace(converted);
    } else if (object instanceof io.fabric8.kubernetes.api.model.Pod pod) {
      located(manifest, () -> converter.pod(pod));
      io.fabric8.kubernetes.api.model.Pod stored = objects.get(manifest.key())
          instanceof io.fabric8.kubernetes.api.model.Pod existing
          ? relabel(existing, pod) : admit ? admit(manifest, pod, reserved) : pod;
      Pod converted = located(manifest, () -> converter.pod(stored));
      checkAddressesFree(manifest, converted);
      objects.put(manifest.key(), stored);
      graph.upsertPod(converted);
    } else if (object instanceof NetworkPolicy policy) {
      graph.upsertPolicy(enforced(manifest, policy));
      objects.put(manifest.key(), policy);
    } else {
      throw new IllegalArgumentException("not a kind the cluster stores: " + manifest.key());
    }
  }

  /**
   * The policy as the agent enforces it: converted, or fail-closed when the API server stores it
   * but Palisade cannot use it. One the API server would reject is unusable input.
   */
  private dev.palisade.model.Policy enforced(Manifest manifest, NetworkPolicy policy) {
    failingClosed.remove(manifest.key());
    try {
      return converter.networkPolicy(policy);
    } catch (InvalidInputException e) {
      if (!e.isAcceptedByApiServer()) {
        throw e.from(manifest.origin());
      }
      dev.palisade.model.Policy standIn = converter.failClosed(policy);
      failingClosed.put(manifest.key(),
          new FailClosedPolicy(e.from(manifest.origin()), standIn));
      return standIn;
    }
  }

  /** An update of an existing pod: labels and phase from the new manifest, the rest kept. */
  private static io.fabric8.kubernetes.api.model.Pod relabel(
      io.fabric8.kubernetes.api.model.Pod existing, io.fabric8.kubernetes.api.model.Pod update) {
    String phase = update.getStatus() == null || update.getStatus().getPhase() == null
        ? existing.getStatus().getPhase() : update.getStatus().getPhase();
    return new PodBuilder(existing)
        .editMetadata().withLabels(update.getMetadata().getLabels()).endMetadata()
        .editOrNewStatus().withPhase(phase).endStatus()
        .build();
  }

  /** A new pod: scheduled, given an address if it has none, and running. */
  private io.fabric8.kubernetes.api.model.Pod admit(Manifest manifest,
      io.fabric8.kubernetes.api.model.Pod pod, Set<InetAddress> reserved) {
    PodBuilder admitted = new PodBuilder(pod);
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (node == null || node.isEmpty()) {
      node = placement.nextNode();
      admitted.editOrNewSpec().withNodeName(node).endSpec();
    }
    if (pod.getStatus() == null || pod.getStatus().getPhase() == null) {
      admitted.editOrNewStatus().withPhase(ModelConverter.apiName(PodPhase.RUNNING)).endStatus();
    }
    Pod model = located(manifest, () -> converter.pod(pod));
    boolean needsAddress = model.ips().isEmpty() && !model.hostNetwork()
        && !model.phase().isTerminated();
    if (needsAddress) {
      Set<InetAddress> used = new HashSet<>(reserved);
      used.addAll(addressesInUse());
      String scheduled = node;
      InetAddress ip = placement.freeAddress(node, used).orElseThrow(() ->
          new InvalidInputException(manifest.origin(), manifest.key().toString(),
              FieldPath.of("status.podIP"), "no free address left on " + scheduled));
      String text = InetAddresses.toAddrString(ip);
      reserved.add(ip);
      admitted.editOrNewStatus().withPodIP(text).withPodIPs(new PodIP(text)).endStatus();
    }
    return admitted.build();
  }

  /** Two endpoint pods cannot hold one address; a terminated pod's address may be reused. */
  private void checkAddressesFree(Manifest manifest, Pod pod) {
    if (!pod.isEndpoint()) {
      return;
    }
    // By the graph's address index, not a walk over every pod: a cluster dump holds 50k pods.
    for (InetAddress ip : pod.ips()) {
      Optional<Pod> holder = graph.endpointByIp(ip)
          .filter(other -> !other.ref().equals(pod.ref()));
      if (holder.isPresent()) {
        throw new InvalidInputException(manifest.origin(), manifest.key().toString(),
            FieldPath.of("status.podIPs"), InetAddresses.toAddrString(ip)
                + " is already the address of pod " + holder.get().ref());
      }
    }
  }

  private Set<InetAddress> addressesInUse() {
    Set<InetAddress> used = new HashSet<>();
    for (Pod pod : graph.pods()) {
      if (pod.isEndpoint()) {
        used.addAll(pod.ips());
      }
    }
    return used;
  }

  private static <T> T located(Manifest manifest, Supplier<T> conversion) {
    try {
      return conversion.get();
    } catch (InvalidInputException e) {
      throw e.from(manifest.origin());
    }
  }
}
