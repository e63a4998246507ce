package dev.palisade.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster big enough that taking it in takes a while, written through a client: namespaces,
 * pods spread over nodes (every {@code nodeEvery}-th on the measured node) and allow policies
 * between app groups, followed by one default-deny-ingress policy per namespace, written last so
 * that a consumer reading the initial list in order meets them last.
 */
public record ClusterLoad(int namespaces, int pods, int allowPolicies, String node,
    int nodeEvery) {
  private static final int APPS = 30;

  /** What was written, in write order per kind. */
  public record Written(List<Namespace> namespaces, List<Pod> pods,
      List<NetworkPolicy> policies) {
    /** Every object written. */
    public List<HasMetadata> all() {
      List<HasMetadata> all = new ArrayList<>(namespaces);
      all.addAll(pods);
      all.addAll(policies);
      return all;
    }
  }

  public Written writeTo(KubernetesClient client) {
    List<Namespace> writtenNamespaces = new ArrayList<>();
    for (int n = 0; n < namespaces; n++) {
      String name = "load-" + n;
      writtenNamespaces.add(client.namespaces().resource(new NamespaceBuilder()
          .withNewMetadata().withName(name).addToLabels("kubernetes.io/metadata.name", name)
          .addToLabels("tier", n % 2 == 0 ? "front" : "back").endMetadata().build()).create());
    }
    List<Pod> writtenPods = new ArrayList<>();
    for (int p = 0; p < pods; p++) {
      String ip = "10." + (100 + p / 62500) + "." + (p / 250 % 250) + "." + (1 + p % 250);
      writtenPods.add(client.pods().inNamespace(namespaceOf(p)).resource(new PodBuilder()
          .withNewMetadata().withName("pod-" + p).addToLabels("app", "app-" + p % APPS)
          .endMetadata()
          .withNewSpec().withNodeName(p % nodeEvery == 0 ? node : "node-" + (2 + p % 7))
          .addNewContainer().withName("serve").addNewPort().withName("http")
          .withContainerPort(8080).withProtocol("TCP").endPort().endContainer().endSpec()
          .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip)
          .endPodIP().endStatus().build()).create());
    }
    List<NetworkPolicy> writtenPolicies = new ArrayList<>();
    for (int k = 0; k < allowPolicies; k++) {
      writtenPolicies.add(client.network().v1().networkPolicies().inNamespace(namespaceOf(k))
          .resource(new NetworkPolicyBuilder()
              .withNewMetadata().withName("allow-" + k).endMetadata()
              .withNewSpec()
              .withPodSelector(selector("app", "app-" + k % APPS))
              .addNewIngress().addNewFrom()
              .withPodSelector(selector("app", "app-" + (k + 1) % APPS))
              .withNamespaceSelector(selector("tier", k % 2 == 0 ? "front" : "back")).endFrom()
              .addNewPort().withProtocol("TCP").withPort(k % 3 == 0 ? new IntOrString("http")
                  : new IntOrString(80 + k))
              .endPort().endIngress()
              .endSpec().build()).create());
    }
    for (int n = 0; n < namespaces; n++) {
      writtenPolicies.add(client.network().v1().networkPolicies().inNamespace("load-" + n)
          .resource(new NetworkPolicyBuilder()
              .withNewMetadata().withName("default-deny-ingress").endMetadata()
              .withNewSpec().withPodSelector(new LabelSelectorBuilder().build())
              .withPolicyTypes("Ingress").endSpec().build()).create());
    }
    return new Written(writtenNamespaces, writtenPods, writtenPolicies);
  }

  private String namespaceOf(int index) {
    return "load-" + index % namespaces;
  }

  private static io.fabric8.kubernetes.api.model.LabelSelector selector(String key,
      String value) {
    return new LabelSelectorBuilder().addToMatchLabels(key, value).build();
  }
}
