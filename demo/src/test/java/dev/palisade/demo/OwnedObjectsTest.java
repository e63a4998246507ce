package dev.palisade.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.ObjectKey;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the demo writes, on the mock server (the real API server's side of it is in the e2e
 * suite's UpstreamScenariosOnRealApiServerTest): only its own objects, and all of them go.
 */
class OwnedObjectsTest {
  private EmbeddedApiServer server;
  private KubernetesClient client;
  private OwnedObjects owned;

  @BeforeEach
  void start() {
    server = EmbeddedApiServer.start();
    client = server.client();
    owned = new OwnedObjects(client, server.describe());
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private static Namespace namespace(String name) {
    return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  private static Pod pod(String labelValue) {
    return pod(labelValue, "Running");
  }

  private static Pod pod(String labelValue, String phase) {
    return new PodBuilder().withNewMetadata().withName("a").withNamespace("x")
        .addToLabels("pod", labelValue).endMetadata()
        .withNewSpec().withNodeName("node-1")
        .withContainers(new ContainerBuilder().withName("serve").build()).endSpec()
        .withNewStatus().withPhase(phase).withPodIP("10.0.1.10").endStatus().build();
  }

  @Test
  void refusesAnObjectThatExistsAlreadyAndLeavesIt() {
    client.resource(namespace("x")).create();

    assertThatThrownBy(() -> owned.put(namespace("x")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("Namespace x: exists already in the embedded API server, and the demo did "
            + "not create it: the demo writes only objects it creates (and removes them at the "
            + "end); run it on a cluster without this object");
    owned.deleteAll();
    assertThat(client.namespaces().withName("x").get()).isNotNull();
  }

  @Test
  void aPodGetsItsStatusAnImageAndItsNamespaceADefaultServiceAccount() {
    owned.put(namespace("x"));
    owned.put(pod("a"));
    owned.put(pod("relabelled"));

    Pod stored = client.pods().inNamespace("x").withName("a").get();
    assertThat(stored.getMetadata().getLabels()).containsEntry("pod", "relabelled");
    assertThat(stored.getStatus().getPodIP()).isEqualTo("10.0.1.10");
    assertThat(stored.getSpec().getContainers().get(0).getImage())
        .isEqualTo(OwnedObjects.PLACEHOLDER_IMAGE);
    assertThat(client.serviceAccounts().inNamespace("x").withName("default").get()).isNotNull();
  }

  @Test
  void aPodThatOnlyCompletesChangesOnlyItsPhase() {
    owned.put(namespace("x"));
    owned.put(pod("a"));
    owned.put(pod("a", "Succeeded"));

    Pod stored = client.pods().inNamespace("x").withName("a").get();
    assertThat(stored.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(stored.getStatus().getPodIP()).isEqualTo("10.0.1.10");
  }

  @Test
  void deletesEverythingItCreatedAndNothingElse() {
    client.resource(namespace("someone-elses")).create();
    owned.put(namespace("x"));
    owned.put(pod("a"));
    owned.delete(new ObjectKey("Pod", "x", "a"));
    owned.put(pod("a"));

    owned.deleteAll();

    assertThat(client.pods().inNamespace("x").withName("a").get()).isNull();
    assertThat(client.namespaces().withName("x").get()).isNull();
    assertThat(client.namespaces().withName("someone-elses").get()).isNotNull();
  }
}
