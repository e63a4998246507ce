package dev.palisade.demo;

import dev.palisade.k8s.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Makes the API server hold the scenario's objects: creates and replaces what changed
 * (namespaces, then pods, then policies, so a policy never arrives before what it selects) and
 * deletes what went away (in the reverse order). Pods are written with their status, as the
 * kubelet would report it. A pod whose spec or addresses change (the next scenario's pod of the
 * same name) is deleted and created again: a real API server allows neither change.
 */
final class Writer {
  private final OwnedObjects owned;
  /** The scenario objects as last written. */
  private final Map<ObjectKey, HasMetadata> written = new LinkedHashMap<>();

  Writer(OwnedObjects owned) {
    this.owned = owned;
  }

  /** Brings the server from what it wrote before to {@code desired}. */
  void sync(Map<ObjectKey, HasMetadata> desired) {
    List<ObjectKey> upserts = new ArrayList<>(desired.keySet());
    upserts.sort(Comparator.comparingInt(OwnedObjects::kindOrder));
    for (ObjectKey key : upserts) {
      HasMetadata object = desired.get(key);
      HasMetadata before = written.get(key);
      if (!object.equals(before)) {
        if (before instanceof Pod beforePod && object instanceof Pod pod
            && !sameSpecAndAddresses(beforePod, pod)) {
          owned.delete(key);
        }
        owned.put(object);
        written.put(key, object);
      }
    }
    List<ObjectKey> deletions = new ArrayList<>(written.keySet());
    deletions.removeAll(desired.keySet());
    deletions.sort(Comparator.comparingInt(OwnedObjects::kindOrder).reversed());
    for (ObjectKey key : deletions) {
      owned.delete(key);
      written.remove(key);
    }
  }

  private static boolean sameSpecAndAddresses(Pod before, Pod now) {
    return Objects.equals(before.getSpec(), now.getSpec())
        && Objects.equals(before.getStatus().getPodIPs(), now.getStatus().getPodIPs());
  }
}
