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

  /** A running pod with an address and one named TCP container port. */
  static Pod serving(String namespace, String name, String ip, String portName, int port) {
    return new PodBuilder(pod(namespace, name, ip, "pod", name))
        .editSpec().editFirstContainer()
          .addNewPort().withName(portName).withContainerPort(port).withProtocol("TCP").endPort()
        .endContainer().endSpec()
        .build();
  }

  /** An egress policy for pods with these labels, to a named TCP port in labelled namespaces. */
  static NetworkPolicy toNamedPort(String namespace, String name, Map<String, String> pods,
      Map<String, String> namespaces, String portName) {
    return new NetworkPolicyBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withNewSpec()
          .withPodSelector(new LabelSelectorBuilder().withMatchLabels(pods).build())
          .withPolicyTypes("Egress")
          .addNewEgress()
            .withTo(new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(new LabelSelectorBuilder().withMatchLabels(namespaces)
                    .build())
                .build())
            .addNewPort().withProtocol("TCP").withNewPort(portName).endPort()
          .endEgress()
        .endSpec()
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
