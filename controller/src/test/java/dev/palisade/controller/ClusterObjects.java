package dev.palisade.controller;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.Map;

/** fabric8 objects as a real API server would hold them, for the mock server. */
final class ClusterObjects {
  private ClusterObjects() {}

  /** A namespace with the name label the API server sets on every namespace. */
  static Namespace namespace(String name, String... keyValues) {
    return new NamespaceBuilder()
        .withNewMetadata()
          .withName(name)
          .addToLabels("kubernetes.io/metadata.name", name)
          .addToLabels(labels(keyValues))
        .endMetadata()
        .build();
  }

  /** A running pod with an address. */
  static Pod pod(String namespace, String name, String ip, String... keyValues) {
    return new PodBuilder()
        .withNewMetadata()
          .withNamespace(namespace)
          .withName(name)
          .withLabels(labels(keyValues))
        .endMetadata()
        .withNewSpec()
          .withNodeName("node-1")
          .addNewContainer().withName("main").withImage("serve").endContainer()
        .endSpec()
        .withNewStatus()
          .withPhase("Running")
          .withPodIP(ip)
          .addNewPodIP().withIp(ip).endPodIP()
        .endStatus()
        .build();
  }

  /** An ingress policy selecting pods by labels, allowing nothing. */
  static NetworkPolicy denyIngress(String namespace, String name, String... selectorLabels) {
    return new NetworkPolicyBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withNewSpec()
          .withPodSelector(new LabelSelectorBuilder().withMatchLabels(labels(selectorLabels))
              .build())
          .withPolicyTypes("Ingress")
        .endSpec()
        .build();
  }

  /** An ingress policy for pods with these labels, from every pod of namespaces labelled so. */
  static NetworkPolicy fromNamespaces(String namespace, String name, Map<String, String> pods,
      Map<String, String> namespaces) {
    return new NetworkPolicyBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withNewSpec()
          .withPodSelector(new LabelSelectorBuilder().withMatchLabels(pods).build())
          .addNewIngress()
            .withFrom(new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(new LabelSelectorBuilder().withMatchLabels(namespaces)
                    .build())
                .build())
          .endIngress()
        .endSpec()
        .build();
  }

  static Map<String, String> labels(String... keyValues) {
    return dev.palisade.model.testing.Builders.labels(keyValues);
  }
}
