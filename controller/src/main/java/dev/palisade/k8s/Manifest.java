package dev.palisade.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A Kubernetes object read from input, with where it came from ({@code policies.yaml, document
 * 2}) so that an error found later can still name the file.
 */
public record Manifest(String origin, HasMetadata object) {

  public ObjectKey key() {
    return ObjectKey.of(object);
  }
}
