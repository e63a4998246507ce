package dev.palisade.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * A cluster big enough that taking it in takes a while, written through a client as a
 * kubelet-less cluster would hold it: namespaces (each with its {@code default}
 * ServiceAccount, which a real API server's admission requires of pods), pods spread over
 * nodes (every {@code nodeEvery}-th on the measured node) whose addresses go through the status
 * subresource, and allow policies between app groups, followed by one default-deny-ingress
 * policy per namespace, written last so that a consumer reading the initial list in order meets
 * them last. Works on the fabric8 mock server and on a real kube-apiserver.
 */
public record ClusterLoad(int namespaces, int pods, int allowPolicies, String node,
    int nodeEvery) {
  private static final int APPS = 30;
  private static final int WRITERS = 8;

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
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Namespace> writtenNamespaces = inParallel(writers, namespaces, n -> {
        String name = "load-" + n;
        Namespace created = client.namespaces().resource(new NamespaceBuilder()
            .withNewMetadata().withName(name).addToLabels("kubernetes.io/metadata.name", name)
            .addToLabels("tier", n % 2 == 0 ? "front" : "back").endMetadata().build()).create();
        client.serviceAccounts().inNamespace(name).resource(new ServiceAccountBuilder()
            .withNewMetadata().withName("default").endMetadata().build())
            .createOr(NonDeletingOperation::update);
        return created;
      });
      List<Pod> writtenPods = inParallel(writers, pods, p -> writePod(client, p));
      List<NetworkPolicy> writtenPolicies = new ArrayList<>(
          inParallel(writers, allowPolicies, k -> client.network().v1().networkPolicies()
              .inNamespace(namespaceOf(k)).resource(allowPolicy(k)).create()));
      writtenPolicies.addAll(inParallel(writers, namespaces, n -> client.network().v1()
          .networkPolicies().inNamespace("load-" + n).resource(new NetworkPolicyBuilder()
              .withNewMetadata().withName("default-deny-ingress").endMetadata()
              .withNewSpec().withPodSelector(new LabelSelectorBuilder().build())
              .withPolicyTypes("Ingress").endSpec().build()).create()));
      return new Written(writtenNamespaces, writtenPods, writtenPolicies);
    } finally {
      writers.shutdownNow();
    }
  }

  private Pod writePod(KubernetesClient client, int p) {
    String ip = "10." + (100 + p / 62500) + "." + (p / 250 % 250) + "." + (1 + p % 250);
    PodStatus status = new PodStatusBuilder().withPhase("Running").withPodIP(ip)
        .addNewPodIP().withIp(ip).endPodIP().build();
    Pod created = client.pods().inNamespace(namespaceOf(p)).resource(new PodBuilder()
        .withNewMetadata().withName("pod-" + p).addToLabels("app", "app-" + p % APPS)
        .endMetadata()
        .withNewSpec().withNodeName(p % nodeEvery == 0 ? node : "node-" + (2 + p % 99))
        .addNewContainer().withName("serve").withImage("registry.invalid/serve")
        .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort()
        .endContainer().endSpec()
        .withStatus(status).build()).create();
    // a real API server drops the status of a create; a kubelet writes it through /status
    return status.equals(created.getStatus()) ? created : client.pods()
        .inNamespace(namespaceOf(p)).resource(new PodBuilder(created).withStatus(status).build())
        .updateStatus();
  }

  private NetworkPolicy allowPolicy(int k) {
    return new NetworkPolicyBuilder()
        .withNewMetadata().withName("allow-" + k).endMetadata()
        .withNewSpec()
        .withPodSelector(selector("app", "app-" + k % APPS))
        .addNewIngress().addNewFrom()
        .withPodSelector(selector("app", "app-" + (k + 1) % APPS))
        .withNamespaceSelector(selector("tier", k % 2 == 0 ? "front" : "back")).endFrom()
        .addNewPort().withProtocol("TCP").withPort(k % 3 == 0 ? new IntOrString("http")
            : new IntOrString(80 + k % 1000))
        .endPort().endIngress()
        .endSpec().build();
  }

  /** Writes {@code count} objects with several writers; the list keeps the index order. */
  private static <T> List<T> inParallel(ExecutorService writers, int count,
      IntFunction<T> write) {
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int index = i;
      futures.add(writers.submit(() -> write.apply(index)));
    }
    List<T> written = new ArrayList<>();
    try {
      for (Future<T> future : futures) {
        written.add(future.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted writing the cluster", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("writing the cluster failed", e.getCause());
    }
    return written;
  }

  private String namespaceOf(int index) {
    return "load-" + index % namespaces;
  }

  private static LabelSelector selector(String key, String value) {
    return new LabelSelectorBuilder().addToMatchLabels(key, value).build();
  }
}
