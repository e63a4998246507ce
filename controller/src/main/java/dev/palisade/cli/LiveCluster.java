package dev.palisade.cli;

import com.google.common.base.Throwables;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.Manifest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads what the tools evaluate from a running cluster: every Namespace, Pod and NetworkPolicy,
 * cluster-wide whatever the command shows, since a policy's selectors may reach any namespace.
 * Needs get and list on those three kinds cluster-wide (README, "A live cluster"); Kubernetes'
 * own {@code view} ClusterRole does not cover namespaces.
 */
final class LiveCluster {
  private final KubernetesClient client;
  private final String origin;

  LiveCluster(KubernetesClient client) {
    this.client = client;
    this.origin = "cluster " + client.getMasterUrl();
  }

  /** Where the objects come from, as messages name it. */
  String origin() {
    return origin;
  }

  /** The namespace of the kubeconfig's context, as kubectl defaults to it. */
  String contextNamespace() {
    return Optional.ofNullable(client.getNamespace()).orElse("default");
  }

  /**
   * Namespaces first, then pods, then policies: the order a cluster state is built in.
   *
   * @throws InvalidInputException when the API server cannot be read, with its answer
   */
  List<Manifest> objects() {
    List<Manifest> objects = new ArrayList<>();
    add(objects, "namespaces", () -> client.namespaces().list().getItems());
    add(objects, "pods", () -> client.pods().inAnyNamespace().list().getItems());
    add(objects, "networkpolicies",
        () -> client.network().v1().networkPolicies().inAnyNamespace().list().getItems());
    return objects;
  }

  private void add(List<Manifest> objects, String resource,
      Supplier<List<? extends HasMetadata>> list) {
    try {
      list.get().forEach(object -> objects.add(new Manifest(origin, object)));
    } catch (KubernetesClientException e) {
      throw InvalidInputException.inSource(origin, "cannot list " + resource
          + " cluster-wide (" + answer(e) + "); the tools need get and list on namespaces, "
          + "pods and networking.k8s.io networkpolicies in every namespace (a ClusterRole: "
          + "README.md, \"A live cluster\")");
    }
  }

  /** The API server's own words (a 403 names the user and the verb), or why none came. */
  private static String answer(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getCode() + " " + e.getStatus().getMessage();
    }
    Throwable cause = Throwables.getRootCause(e);
    return cause == e ? e.getMessage() : e.getMessage() + " " + cause;
  }
}
