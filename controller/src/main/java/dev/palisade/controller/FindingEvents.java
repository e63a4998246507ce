package dev.palisade.controller;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a policy's notices as core/v1 Events on it (see {@link EventPlanner} for what is
 * written). Reading the policy's Events costs one labelled LIST; it is skipped while the
 * notices are those this process published last and no refresh is due, so a reconciliation
 * that changes nothing (most of them: any pod change in the namespace triggers one) writes and
 * reads nothing; an Event someone deletes by hand comes back at the next refresh at the latest.
 * A failed write throws, and JOSDK retries the reconciliation.
 *
 * <p>Thread-safe: JOSDK never reconciles one policy twice at a time; the memo is concurrent.
 */
final class FindingEvents {
  private static final Logger log = LoggerFactory.getLogger(FindingEvents.class);

  private record Published(List<PolicyNotice> notices, Instant at) {}

  private final KubernetesClient client;
  private final EventPlanner planner;
  private final Clock clock;
  private final Duration refreshInterval;
  private final Map<String, Published> publishedByUid = new ConcurrentHashMap<>();

  FindingEvents(KubernetesClient client, Clock clock, Duration refreshInterval,
      String reportingInstance) {
    this.client = client;
    this.planner = new EventPlanner(refreshInterval, reportingInstance);
    this.clock = clock;
    this.refreshInterval = refreshInterval;
  }

  void publish(NetworkPolicy policy, List<PolicyNotice> notices) {
    String uid = requireUid(policy);
    Instant now = clock.instant();
    Published last = publishedByUid.get(uid);
    if (last != null && last.notices().equals(notices)
        && now.isBefore(last.at().plus(refreshInterval))) {
      return;
    }
    apply(policy, planner.plan(policy, notices, existing(policy), now));
    publishedByUid.put(uid, new Published(List.copyOf(notices), now));
  }

  /** The policy is gone: so are its Events. */
  void forget(NetworkPolicy policy) {
    String uid = requireUid(policy);
    apply(policy, planner.forget(existing(policy)));
    publishedByUid.remove(uid);
  }

  private List<Event> existing(NetworkPolicy policy) {
    return events(policy)
        .withLabel(EventPlanner.MANAGED_BY_LABEL, EventPlanner.MANAGED_BY)
        .withLabel(EventPlanner.POLICY_UID_LABEL, policy.getMetadata().getUid())
        .list().getItems();
  }

  private void apply(NetworkPolicy policy, EventChanges changes) {
    if (changes.isEmpty()) {
      return;
    }
    log.debug("events of NetworkPolicy {}/{}: {}", policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(), changes);
    changes.deletes().forEach(name -> events(policy).withName(name).delete());
    changes.creates().forEach(event -> events(policy).resource(event).create());
    changes.updates().forEach(event -> events(policy).resource(event).update());
  }

  private NonNamespaceOperation<Event, EventList, Resource<Event>> events(NetworkPolicy policy) {
    return client.v1().events().inNamespace(policy.getMetadata().getNamespace());
  }

  private static String requireUid(NetworkPolicy policy) {
    String uid = policy.getMetadata().getUid();
    if (uid == null || uid.isEmpty()) {
      throw new IllegalStateException("NetworkPolicy " + policy.getMetadata().getNamespace()
          + "/" + policy.getMetadata().getName() + " has no metadata.uid; Event names derive "
          + "from it (the API server always sets one)");
    }
    return uid;
  }
}
