package dev.palisade.demo;

import dev.palisade.k8s.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Makes the API server hold the scenario's objects: creates and replaces what changed
 * (namespaces, then pods, then policies, so a policy never arrives before what it selects) and
 * deletes what went away (in the reverse order). Pods are written with their status, as the
 * kubelet would report it.
 */
final class Writer {
  private static final List<String> ORDER = List.of("Namespace", "Pod", "NetworkPolicy");

  private final KubernetesClient client;

  Writer(KubernetesClient client) {
    this.client = client;
  }

  /** Brings the server from {@code written} to {@code desired}; updates {@code written}. */
  void sync(Map<ObjectKey, HasMetadata> written, Map<ObjectKey, HasMetadata> desired) {
    List<ObjectKey> upserts = new ArrayList<>(desired.keySet());
    upserts.sort(Comparator.comparingInt(key -> ORDER.indexOf(key.kind())));
    for (ObjectKey key : upserts) {
      HasMetadata object = desired.get(key);
      if (!object.equals(written.get(key))) {
        client.resource(object).createOr(existing -> existing.update());
        written.put(key, object);
      }
    }
    List<ObjectKey> deletions = new ArrayList<>(written.keySet());
    deletions.removeAll(desired.keySet());
    deletions.sort(Comparator.comparingInt(key -> -ORDER.indexOf(key.kind())));
    for (ObjectKey key : deletions) {
      client.resource(written.remove(key)).delete();
    }
  }

}
