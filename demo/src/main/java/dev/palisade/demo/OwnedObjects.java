package dev.palisade.demo;

import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.ObjectKey;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects the demo created in its API server, and the only ones it changes or deletes. An
 * object that exists already when the demo would create it is refused, not adopted: on an
 * external cluster it belongs to someone else.
 *
 * <p>Writes work on a real kube-apiserver without kubelets as well as on the mock server: a pod
 * is created first and gets its addresses and phase through the status subresource afterwards
 * (the API server drops the status of a create); an existing pod changes only its labels and
 * annotations (the rest of its spec is immutable); pods are deleted with no grace period (a
 * graceful delete waits for a kubelet that does not exist); a new namespace gets its
 * {@code default} ServiceAccount at once (the ServiceAccount admission plugin refuses pods
 * without it, and kube-controller-manager, if it runs at all, creates it only later). What the
 * API server refuses (validation, admission) is reported as unusable input naming the object.
 */
final class OwnedObjects {
  /** Creation order: what a later kind refers to exists first; deletion goes the other way. */
  private static final List<String> KIND_ORDER = List.of("Node", "Namespace", "Pod", "NetworkPolicy");
  /**
   * The image of containers that do not name one: the API server requires one, the scenario
   * format does not (no kubelet runs these containers).
   */
  static final String PLACEHOLDER_IMAGE = "registry.k8s.io/pause:3.10";
  private static final int UNPROCESSABLE_ENTITY = 422;
  private static final Duration NAMESPACE_REMOVAL_TIMEOUT = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final String server;
  private final Map<ObjectKey, HasMetadata> owned = new LinkedHashMap<>();

  /** @param server how messages name the API server ({@link ApiServer#describe()}) */
  OwnedObjects(KubernetesClient client, String server) {
    this.client = client;
    this.server = server;
  }

  static int kindOrder(ObjectKey key) {
    return KIND_ORDER.indexOf(key.kind());
  }

  /**
   * Creates the object, or updates it when the demo created it before; returns it as stored.
   *
   * @throws InvalidInputException when the API server refuses it, or when it exists already
   *     and the demo did not create it
   */
  HasMetadata put(HasMetadata object) {
    ObjectKey key = ObjectKey.of(object);
    try {
      return owned.containsKey(key) ? update(key, object) : create(key, object);
    } catch (KubernetesClientException e) {
      throw asInputError(key, e);
    }
  }

  private HasMetadata create(ObjectKey key, HasMetadata object) {
    HasMetadata created;
    try {
      created = client.resource(withImages(object)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw InvalidInputException.inObject(key.toString(), null, "exists already in "
            + server + (terminating(object) ? " (it is being deleted)" : "")
            + ", and the demo did not create it: the demo writes only objects it creates (and"
            + " removes them at the end); run it on a cluster without this object");
      }
      throw e;
    }
    owned.put(key, created);
    if ("Namespace".equals(key.kind())) {
      createDefaultServiceAccount(key.name());
    }
    return object instanceof Pod pod ? writeStatus(key, (Pod) created, pod) : created;
  }

  private HasMetadata update(ObjectKey key, HasMetadata object) {
    if (object instanceof Pod pod) {
      Pod relabelled = client.pods().inNamespace(key.namespace()).withName(key.name())
          .edit(stored -> new PodBuilder(stored).editMetadata()
              .withLabels(pod.getMetadata().getLabels())
              .withAnnotations(pod.getMetadata().getAnnotations()).endMetadata().build());
      return writeStatus(key, relabelled, pod);
    }
    HasMetadata updated = client.resource(object).update();
    owned.put(key, updated);
    return updated;
  }

  /** Plays the kubelet: the stored pod gets the manifest's status (addresses, phase). */
  private Pod writeStatus(ObjectKey key, Pod stored, Pod manifest) {
    Pod updated = client.resource(new PodBuilder(stored).withStatus(manifest.getStatus())
        .build()).updateStatus();
    owned.put(key, updated);
    return updated;
  }

  private void createDefaultServiceAccount(String namespace) {
    try {
      client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
          .withNewMetadata().withName("default").endMetadata().build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // kube-controller-manager was quicker
    }
  }

  private static HasMetadata withImages(HasMetadata object) {
    if (!(object instanceof Pod pod) || pod.getSpec() == null) {
      return object;
    }
    List<Container> containers = pod.getSpec().getContainers().stream()
        .map(container -> container.getImage() == null || container.getImage().isEmpty()
            ? new ContainerBuilder(container).withImage(PLACEHOLDER_IMAGE).build() : container)
        .toList();
    return new PodBuilder(pod).editSpec().withContainers(containers).endSpec().build();
  }

  private boolean terminating(HasMetadata object) {
    HasMetadata existing = client.resource(object).get();
    return existing != null && existing.getMetadata().getDeletionTimestamp() != null;
  }

  /**
   * Deletes an object the demo created (a pod at once, without grace) and, for a namespace,
   * waits until the API server has removed it, so that it can be created again.
   *
   * @throws IllegalStateException when a namespace is still there after a minute
   */
  void delete(ObjectKey key) {
    deleteWithoutWaiting(key);
    if ("Namespace".equals(key.kind())) {
      awaitRemoved(List.of(key));
    }
  }

  /**
   * Deletes every object the demo created, in reverse creation order, and waits until its
   * namespaces are gone.
   *
   * @throws IllegalStateException when a deletion fails or a namespace is still there after a
   *     minute; the other deletions are done anyway
   */
  void deleteAll() {
    List<ObjectKey> keys = new ArrayList<>(owned.keySet());
    keys.sort(Comparator.comparingInt(OwnedObjects::kindOrder).reversed());
    List<String> failures = new ArrayList<>();
    List<ObjectKey> namespaces = new ArrayList<>();
    for (ObjectKey key : keys) {
      try {
        deleteWithoutWaiting(key);
        if ("Namespace".equals(key.kind())) {
          namespaces.add(key);
        }
      } catch (KubernetesClientException e) {
        failures.add(key + ": " + e.getMessage());
      }
    }
    try {
      awaitRemoved(namespaces);
    } catch (IllegalStateException e) {
      failures.add(e.getMessage());
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("could not remove everything the demo wrote to " + server
          + ": " + String.join("; ", failures));
    }
  }

  private void deleteWithoutWaiting(ObjectKey key) {
    HasMetadata object = owned.remove(key);
    if (object instanceof Pod) {
      client.resource(object).withGracePeriod(0).delete();
    } else {
      client.resource(object).delete();
    }
  }

  /**
   * The API server removes a namespace only once its namespace controller (in
   * kube-controller-manager) has deleted what it holds.
   */
  private void awaitRemoved(List<ObjectKey> namespaces) {
    long deadline = System.nanoTime() + NAMESPACE_REMOVAL_TIMEOUT.toNanos();
    List<ObjectKey> remaining = new ArrayList<>(namespaces);
    while (!remaining.isEmpty()) {
      remaining.removeIf(key -> client.namespaces().withName(key.name()).get() == null);
      if (remaining.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(remaining + " still terminating after "
            + NAMESPACE_REMOVAL_TIMEOUT.toSeconds() + " s: " + server + " removes a namespace"
            + " once kube-controller-manager has emptied it");
      }
      pause();
    }
  }

  /**
   * A refusal of the object itself (400 strict decoding, 403 admission, 422 validation) is
   * unusable input, reported with the API server's own words; anything else stays what it is.
   */
  private RuntimeException asInputError(ObjectKey key, KubernetesClientException e) {
    int code = e.getCode();
    if (code != HttpURLConnection.HTTP_BAD_REQUEST && code != HttpURLConnection.HTTP_FORBIDDEN
        && code != UNPROCESSABLE_ENTITY) {
      return e;
    }
    String message = e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage() : e.getMessage();
    return InvalidInputException.inObject(key.toString(), null,
        server + " refused it: " + message);
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for namespaces to go", e);
    }
  }
}
