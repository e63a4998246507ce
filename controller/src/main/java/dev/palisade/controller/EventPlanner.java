package dev.palisade.controller;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Desired versus actual for the Events of one policy, as a pure function of the policy's notices
 * and the Events that exist.
 *
 * <p>One Event per (policy, code), named from the policy's uid and the code so that every
 * replica and every restart finds it again: {@code palisade.<uid>.<code>}. A notice that
 * persists updates that Event (count + 1, lastTimestamp now) when its text changes or when it
 * was last touched {@code refreshInterval} ago, so a standing problem outlives the API server's
 * Event TTL (one hour by default) without a write per reconciliation.
 *
 * <p>When a notice disappears its Event is deleted, so {@code kubectl describe} no longer warns
 * about a fixed problem, and one Normal Event {@code <code>Resolved} quotes what was fixed
 * ({@code palisade.<uid>.<code>.resolved}). If the problem comes back, the Resolved Event is
 * deleted and the problem's Event created again: a policy carries at most one of the two per
 * code. Several notices with one code (say, two peers that select nothing) share the Event,
 * their texts joined.
 */
final class EventPlanner {
  static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  static final String MANAGED_BY = "palisade-controller";
  static final String POLICY_UID_LABEL = "palisade.dev/policy-uid";
  static final String CODE_LABEL = "palisade.dev/code";
  static final String STATE_LABEL = "palisade.dev/state";
  static final String OPEN = "open";
  static final String RESOLVED = "resolved";
  static final String WARNING = "Warning";
  static final String NORMAL = "Normal";
  /** The API server keeps Event messages up to 1 KiB; longer ones are cut here, not refused. */
  static final int MESSAGE_LIMIT = 1024;

  private final Duration refreshInterval;
  private final String reportingInstance;

  EventPlanner(Duration refreshInterval, String reportingInstance) {
    this.refreshInterval = refreshInterval;
    this.reportingInstance = reportingInstance;
  }

  static String openName(String policyUid, String code) {
    return "palisade." + policyUid + "." + code.toLowerCase(Locale.ROOT);
  }

  static String resolvedName(String policyUid, String code) {
    return openName(policyUid, code) + "." + RESOLVED;
  }

  /** The writes that make {@code existing} (this policy's Palisade Events) say {@code notices}. */
  EventChanges plan(NetworkPolicy policy, List<PolicyNotice> notices, List<Event> existing,
      Instant now) {
    String uid = policy.getMetadata().getUid();
    Map<String, Event> byName = existing.stream()
        .collect(Collectors.toMap(event -> event.getMetadata().getName(), Function.identity()));
    Map<String, List<PolicyNotice>> byCode = new TreeMap<>(notices.stream()
        .collect(Collectors.groupingBy(PolicyNotice::code)));
    List<Event> creates = new ArrayList<>();
    List<Event> updates = new ArrayList<>();
    List<String> deletes = new ArrayList<>();

    byCode.forEach((code, sameCode) -> {
      String message = message(sameCode);
      String type = sameCode.stream().anyMatch(PolicyNotice::warning) ? WARNING : NORMAL;
      Event open = byName.get(openName(uid, code));
      if (open == null) {
        creates.add(event(policy, openName(uid, code), code, OPEN, code, type, message, now));
      } else if (!message.equals(open.getMessage()) || !type.equals(open.getType())
          || refreshDue(open, now)) {
        updates.add(recurred(open, policy, type, message, now));
      }
      if (byName.containsKey(resolvedName(uid, code))) {
        deletes.add(resolvedName(uid, code));
      }
    });

    Set<String> handled = new HashSet<>(byCode.keySet());
    for (Event event : existing) {
      String code = event.getMetadata().getLabels().get(CODE_LABEL);
      boolean isOpen = OPEN.equals(event.getMetadata().getLabels().get(STATE_LABEL));
      if (!isOpen || code == null || !handled.add(code)) {
        continue;
      }
      deletes.add(event.getMetadata().getName());
      String resolvedMessage = truncate("Resolved: " + event.getMessage());
      Event resolved = byName.get(resolvedName(uid, code));
      if (resolved == null) {
        creates.add(event(policy, resolvedName(uid, code), code, RESOLVED, code + "Resolved",
            NORMAL, resolvedMessage, now));
      } else {
        updates.add(recurred(resolved, policy, NORMAL, resolvedMessage, now));
      }
    }
    return new EventChanges(creates, updates, deletes);
  }

  /** A deleted policy: its Events go too, a Resolved note would be about nothing. */
  EventChanges forget(List<Event> existing) {
    return new EventChanges(List.of(), List.of(),
        existing.stream().map(event -> event.getMetadata().getName()).toList());
  }

  private boolean refreshDue(Event event, Instant now) {
    if (event.getLastTimestamp() == null) {
      return true;
    }
    try {
      Instant last = Instant.parse(event.getLastTimestamp());
      return !now.isBefore(last.plus(refreshInterval));
    } catch (DateTimeParseException unreadable) {
      return true;
    }
  }

  private static String message(List<PolicyNotice> sameCode) {
    return truncate(sameCode.stream().map(PolicyNotice::text).distinct().sorted()
        .collect(Collectors.joining("; ")));
  }

  private static String truncate(String message) {
    return message.length() <= MESSAGE_LIMIT ? message
        : message.substring(0, MESSAGE_LIMIT - 3) + "...";
  }

  private Event event(NetworkPolicy policy, String name, String code, String state,
      String reason, String type, String message, Instant now) {
    String time = timestamp(now);
    return new EventBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(policy.getMetadata().getNamespace())
          .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
          .addToLabels(POLICY_UID_LABEL, policy.getMetadata().getUid())
          .addToLabels(CODE_LABEL, code)
          .addToLabels(STATE_LABEL, state)
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion("networking.k8s.io/v1")
            .withKind("NetworkPolicy")
            .withNamespace(policy.getMetadata().getNamespace())
            .withName(policy.getMetadata().getName())
            .withUid(policy.getMetadata().getUid())
            .withResourceVersion(policy.getMetadata().getResourceVersion())
            .build())
        .withReason(reason)
        .withType(type)
        .withMessage(message)
        .withCount(1)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withSource(new EventSource(MANAGED_BY, null))
        .withReportingComponent(MANAGED_BY)
        .withReportingInstance(reportingInstance)
        .build();
  }

  /** The same Event, seen once more (by this replica): count + 1, now, and the current text. */
  private Event recurred(Event event, NetworkPolicy policy, String type, String message,
      Instant now) {
    int count = event.getCount() == null ? 1 : event.getCount();
    return new EventBuilder(event)
        .editInvolvedObject()
          .withResourceVersion(policy.getMetadata().getResourceVersion())
        .endInvolvedObject()
        .withType(type)
        .withMessage(message)
        .withCount(count + 1)
        .withLastTimestamp(timestamp(now))
        .withReportingInstance(reportingInstance)
        .build();
  }

  private static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
