package dev.palisade.realization;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

/** A NetworkPolicy as the realization status sees it: its identity and its current version. */
public record PolicyVersion(String namespace, String name, String uid, String resourceVersion) {

  public static PolicyVersion of(NetworkPolicy policy) {
    var metadata = policy.getMetadata();
    return new PolicyVersion(metadata.getNamespace(), metadata.getName(), metadata.getUid(),
        metadata.getResourceVersion());
  }
}
