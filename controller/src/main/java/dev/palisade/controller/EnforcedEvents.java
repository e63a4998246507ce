package dev.palisade.controller;

import dev.palisade.realization.PolicyRealization;
import dev.palisade.realization.PolicyVersion;
import dev.palisade.realization.Realization;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Announces a policy version the moment every node enforces it: one Normal Event
 * {@code PolicyEnforced} on the policy per version. The Event's name derives from the policy's
 * uid and version, so a new leader that announces again is refused with 409 and nothing is
 * announced twice; a failed create is tried again at the next publication.
 *
 * <p>The Events carry the policy-uid label but not the findings' managed-by label: the findings'
 * planner owns exactly the Events it lists by both, and must not delete these. They expire with
 * the API server's Event TTL.
 */
final class EnforcedEvents {
  static final String REASON = "PolicyEnforced";

  private final KubernetesClient client;
  private final Clock clock;
  private final String reportingInstance;
  /** Per policy uid, the version announced last (by this or an earlier leader). */
  private final Map<String, String> announced = new ConcurrentHashMap<>();

  EnforcedEvents(KubernetesClient client, Clock clock, String reportingInstance) {
    this.client = client;
    this.clock = clock;
    this.reportingInstance = reportingInstance;
  }

  /** Creates the Event of each policy version that is enforced everywhere and not announced. */
  void announce(Realization realization) {
    Set<String> present = realization.policies().stream()
        .map(realized -> realized.policy().uid()).collect(Collectors.toSet());
    announced.keySet().retainAll(present);
    for (PolicyRealization realized : realization.policies()) {
      PolicyVersion policy = realized.policy();
      if (realized.enforcedEverywhere()
          && !policy.resourceVersion().equals(announced.get(policy.uid()))) {
        create(event(realized));
        announced.put(policy.uid(), policy.resourceVersion());
      }
    }
  }

  private void create(Event event) {
    try {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event)
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
  }

  private Event event(PolicyRealization realized) {
    PolicyVersion policy = realized.policy();
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    return new EventBuilder()
        .withNewMetadata()
          .withName("palisade." + policy.uid() + ".enforced." + policy.resourceVersion())
          .withNamespace(policy.namespace())
          .addToLabels(EventPlanner.POLICY_UID_LABEL, policy.uid())
        .endMetadata()
        .withNewInvolvedObject()
          .withApiVersion("networking.k8s.io/v1")
          .withKind("NetworkPolicy")
          .withNamespace(policy.namespace())
          .withName(policy.name())
          .withUid(policy.uid())
          .withResourceVersion(policy.resourceVersion())
        .endInvolvedObject()
        .withType(EventPlanner.NORMAL)
        .withReason(REASON)
        .withMessage("Enforced on every node: " + realized.nodes() + " of " + realized.nodes()
            + " (resourceVersion " + policy.resourceVersion() + ")")
        .withCount(1)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withSource(new EventSource(EventPlanner.MANAGED_BY, null))
        .withReportingComponent(EventPlanner.MANAGED_BY)
        .withReportingInstance(reportingInstance)
        .build();
  }
}
