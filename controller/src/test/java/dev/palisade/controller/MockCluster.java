package dev.palisade.controller;

import dev.palisade.testing.Eventually;
import dev.palisade.model.lint.Linter;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * The fabric8 mock API server in CRUD mode, with the one answer CRUD mode cannot give: the
 * SelfSubjectRulesReview that JOSDK's leader election posts before it starts (CRUD mode answers
 * 422 "metadata is required", and the operator's start fails). The mixed dispatcher answers
 * expectations first and everything else from its CRUD store.
 */
final class MockCluster implements AutoCloseable {
  static final String LEASE_NAMESPACE = "palisade-system";

  final KubernetesMockServer server;
  final KubernetesClient client;

  MockCluster() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
        new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
    server.init();
    client = server.createClient();
    server.expect().post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, leaseAccess())
        .always();
  }

  /**
   * A controller with the real linter, started and leading. A predecessor's lease is taken over
   * only when it expires (15 s), hence the generous wait.
   */
  PalisadeController startController(String identity, MeterRegistry registry) throws Exception {
    return startController(identity, registry, client);
  }

  /** The same, talking to the server through {@code through} (e.g. a slowed-down client). */
  PalisadeController startController(String identity, MeterRegistry registry,
      KubernetesClient through) throws Exception {
    var settings = new ControllerSettings(LEASE_NAMESPACE, "palisade-controller", identity,
        Duration.ofHours(1));
    var controller = new PalisadeController(through, settings, registry, Clock.systemUTC(),
        new LinterNotices(new Linter()));
    controller.start();
    Eventually.within(Duration.ofSeconds(60), () -> {
      if (!controller.isLeading()) {
        throw new AssertionError(identity + " does not lead yet");
      }
    });
    return controller;
  }

  /** The events whose involved object is the policy with this uid, as the server holds them. */
  List<Event> eventsAbout(String namespace, String policyUid) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(event -> policyUid.equals(event.getInvolvedObject().getUid()))
        .toList();
  }

  /** Creates the objects and returns the policy as stored (with the uid the server gave it). */
  NetworkPolicy create(NetworkPolicy policy) {
    return client.resource(policy).create();
  }

  private static SelfSubjectRulesReview leaseAccess() {
    return new SelfSubjectRulesReviewBuilder()
        .withNewStatus()
          .withIncomplete(false)
          .addToResourceRules(new ResourceRuleBuilder()
              .withApiGroups("coordination.k8s.io")
              .withResources("leases")
              .withVerbs("get", "create", "update")
              .build())
        .endStatus()
        .build();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
