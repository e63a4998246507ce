package dev.palisade.controller;

import dev.palisade.testing.Eventually;
import static dev.palisade.controller.ClusterObjects.denyIngress;
import static dev.palisade.controller.ClusterObjects.namespace;
import static dev.palisade.controller.ClusterObjects.pod;
import static dev.palisade.controller.ClusterObjects.serving;
import static dev.palisade.controller.ClusterObjects.toNamedPort;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controller against the mock API server: lint findings become Events on the policy, one
 * per finding, resolved when the policy or the pods change, gone with the policy; the policy
 * itself is never written. Each test works in its own namespace (the server's state is shared
 * by the class).
 */
class PolicyEventsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static MockCluster cluster;
  private static PalisadeController controller;

  @BeforeAll
  static void startController() throws Exception {
    cluster = new MockCluster();
    controller = cluster.startController("replica-1", new SimpleMeterRegistry());
  }

  @AfterAll
  static void stopController() {
    controller.close();
    cluster.close();
  }

  @AfterEach
  void policiesNeverGetAFinalizer() {
    assertThat(cluster.client.network().v1().networkPolicies().inAnyNamespace().list().getItems())
        .allSatisfy(policy -> assertThat(policy.getMetadata().getFinalizers()).isNullOrEmpty());
  }

  @Test
  void aFindingIsOneEventAcrossReconciliationsAndARestartOfTheController() throws Exception {
    cluster.client.resource(namespace("once")).create();
    cluster.client.resource(pod("once", "a", "10.0.1.1", "pod", "a")).create();
    NetworkPolicy nobody = cluster.create(denyIngress("once", "nobody", "pod", "nobody"));
    String uid = nobody.getMetadata().getUid();
    Event first = awaitOneEvent("once", uid, "PAL001");
    assertThat(first.getType()).isEqualTo("Warning");
    assertThat(first.getMessage()).contains("selects no pod").contains(". Fix: ");
    assertThat(first.getCount()).isEqualTo(1);
    assertThat(first.getInvolvedObject().getName()).isEqualTo("nobody");
    assertThat(first.getInvolvedObject().getKind()).isEqualTo("NetworkPolicy");

    // A pod change in the namespace reconciles the policy again; a second policy makes that
    // visible: its own finding is resolved by the same pod.
    NetworkPolicy forB = cluster.create(denyIngress("once", "for-b", "pod", "b"));
    awaitOneEvent("once", forB.getMetadata().getUid(), "PAL001");
    cluster.client.resource(pod("once", "b", "10.0.1.2", "pod", "b")).create();
    awaitOneEvent("once", forB.getMetadata().getUid(), "PAL001Resolved");
    assertThat(cluster.eventsAbout("once", uid)).singleElement()
        .satisfies(event -> assertThat(event.getCount()).isEqualTo(1));

    // A new leader knows nothing of what the old one published: it must find the Event by its
    // name and update it (here: repair a text someone changed), not add a second one.
    controller.close();
    cluster.client.v1().events().inNamespace("once").withName(first.getMetadata().getName())
        .edit(event -> {
          event.setMessage("stale");
          return event;
        });
    controller = cluster.startController("replica-2", new SimpleMeterRegistry());
    Eventually.within(TIMEOUT, () -> assertThat(cluster.eventsAbout("once", uid))
        .singleElement()
        .satisfies(event -> {
          assertThat(event.getMessage()).isEqualTo(first.getMessage());
          assertThat(event.getCount()).isEqualTo(2);
          assertThat(event.getReportingInstance()).isEqualTo("replica-2");
        }));
  }

  @Test
  void fixingThePolicyResolvesItsFinding() throws Exception {
    cluster.client.resource(namespace("fix")).create();
    cluster.client.resource(pod("fix", "a", "10.0.2.1", "pod", "a")).create();
    NetworkPolicy typo = cluster.create(denyIngress("fix", "typo", "pod", "aa"));
    String uid = typo.getMetadata().getUid();
    Event finding = awaitOneEvent("fix", uid, "PAL001");

    cluster.client.resource(denyIngress("fix", "typo", "pod", "a")).update();

    Event resolved = awaitOneEvent("fix", uid, "PAL001Resolved");
    assertThat(resolved.getType()).isEqualTo("Normal");
    assertThat(resolved.getMessage()).isEqualTo("Resolved: " + finding.getMessage());
  }

  @Test
  void aPodLabelChangeSettlesWhetherThePolicySelectsAPod() throws Exception {
    cluster.client.resource(namespace("labels")).create();
    cluster.client.resource(pod("labels", "a", "10.0.3.1", "pod", "a")).create();
    NetworkPolicy database = cluster.create(denyIngress("labels", "database", "role", "db"));
    String uid = database.getMetadata().getUid();
    awaitOneEvent("labels", uid, "PAL001");

    relabel("labels", "a", List.of("pod", "a", "role", "db"));
    awaitOneEvent("labels", uid, "PAL001Resolved");

    relabel("labels", "a", List.of("pod", "a"));
    Event again = awaitOneEvent("labels", uid, "PAL001");
    assertThat(again.getCount()).isEqualTo(1);
  }

  @Test
  void changesInOtherNamespacesReachAPolicyWithANamespaceSelector() throws Exception {
    cluster.client.resource(namespace("client")).create();
    cluster.client.resource(namespace("server", "team", "blue")).create();
    cluster.client.resource(namespace("other", "team", "red")).create();
    cluster.client.resource(pod("client", "a", "10.0.5.1", "pod", "a")).create();
    cluster.client.resource(serving("server", "s", "10.0.6.1", "http", 8080)).create();
    cluster.client.resource(serving("other", "w", "10.0.7.1", "web", 8080)).create();
    NetworkPolicy toWeb = cluster.create(
        toNamedPort("client", "to-web", Map.of("pod", "a"), Map.of("team", "blue"), "web"));
    String uid = toWeb.getMetadata().getUid();
    awaitOneEvent("client", uid, "PAL003");

    // A namespace label change elsewhere brings a pod that declares the port.
    cluster.client.namespaces().withName("other").edit(edited -> {
      edited.getMetadata().getLabels().put("team", "blue");
      return edited;
    });
    awaitOneEvent("client", uid, "PAL003Resolved");

    // A pod deleted elsewhere takes the port away again.
    cluster.client.pods().inNamespace("other").withName("w").delete();
    awaitOneEvent("client", uid, "PAL003");
  }

  @Test
  void aDeletedPolicyTakesItsEventsAlong() throws Exception {
    cluster.client.resource(namespace("gone")).create();
    NetworkPolicy doomed = cluster.create(denyIngress("gone", "doomed", "pod", "nobody"));
    String uid = doomed.getMetadata().getUid();
    awaitOneEvent("gone", uid, "PAL001");

    cluster.client.resource(doomed).delete();

    Eventually.within(TIMEOUT, () -> assertThat(cluster.eventsAbout("gone", uid)).isEmpty());
  }

  private static void relabel(String namespace, String pod, List<String> keyValues) {
    cluster.client.pods().inNamespace(namespace).withName(pod).edit(edited -> {
      edited.getMetadata().setLabels(ClusterObjects.labels(keyValues.toArray(String[]::new)));
      return edited;
    });
  }

  /** Waits until the policy's Events are exactly one, with this reason; returns it. */
  private static Event awaitOneEvent(String namespace, String policyUid, String reason)
      throws Exception {
    Eventually.within(TIMEOUT, () -> assertThat(cluster.eventsAbout(namespace, policyUid))
        .singleElement()
        .satisfies(event -> assertThat(event.getReason()).isEqualTo(reason)));
    return cluster.eventsAbout(namespace, policyUid).get(0);
  }
}
