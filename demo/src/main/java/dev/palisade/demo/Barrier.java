package dev.palisade.demo;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One inert object per watched kind, touched after every step: once an agent enforces the
 * barrier's version of a kind, it has processed every earlier event of that kind, deletions
 * included. (A deletion's watch event carries the object's last version on the mock API server,
 * so the deletion itself cannot be waited for by version.) The barrier objects change nothing:
 * the namespace holds no endpoint, the pod has no address, the policy selects no pod.
 */
final class Barrier {
  static final String NAMESPACE = "palisade-barrier";
  private static final String ANNOTATION = "palisade.dev/barrier";

  private final OwnedObjects owned;
  private long generation;

  Barrier(OwnedObjects owned) {
    this.owned = owned;
  }

  /** Touches the three barriers; returns the version each one got, by kind. */
  Map<String, Long> touch() {
    generation++;
    String mark = Long.toString(generation);
    List<HasMetadata> objects = List.of(
        new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
            .addToAnnotations(ANNOTATION, mark).endMetadata().build(),
        new PodBuilder().withNewMetadata().withName("barrier").withNamespace(NAMESPACE)
            .addToAnnotations(ANNOTATION, mark).endMetadata()
            .withNewSpec().withNodeName("none")
            .withContainers(new ContainerBuilder().withName("barrier").build()).endSpec()
            .withNewStatus().withPhase("Pending").endStatus().build(),
        new NetworkPolicyBuilder().withNewMetadata().withName("barrier").withNamespace(NAMESPACE)
            .addToAnnotations(ANNOTATION, mark).endMetadata()
            .withNewSpec().withPodSelector(new LabelSelectorBuilder()
                .addToMatchLabels(ANNOTATION, "selects-nothing").build())
            .withPolicyTypes("Ingress").endSpec().build());
    Map<String, Long> versions = new LinkedHashMap<>();
    for (HasMetadata object : objects) {
      HasMetadata stored = owned.put(object);
      versions.put(object.getKind(), Long.parseLong(stored.getMetadata().getResourceVersion()));
    }
    return versions;
  }
}
