package dev.palisade.realization;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The coordination.k8s.io/v1 Lease through which a node's agent reports what it enforces: named
 * {@code palisade-agent-<node>} in the agent's namespace, labelled so the controller and
 * {@code palisade status} list all of them with one selector, holding the per-kind enforced
 * resource versions as JSON in an annotation. A Lease, not a ConfigMap, because "renewed within
 * its duration" is what a Lease means: {@code renewTime + leaseDurationSeconds} in the past says
 * the agent stopped reporting (node down, agent stuck or gone), which nobody else has to track.
 */
public final class AgentLease {
  public static final String NAME_PREFIX = "palisade-agent-";
  public static final String REPORT_LABEL = "palisade.dev/agent-report";
  public static final String VERSIONS_ANNOTATION = "palisade.dev/enforced-versions";
  /** The kind whose enforced version decides whether a policy is enforced. */
  static final String POLICY_KIND = "NetworkPolicy";
  private static final ObjectMapper JSON = new ObjectMapper();

  private AgentLease() {}

  public static String name(String node) {
    return NAME_PREFIX + node;
  }

  /** The Lease that reports {@code versions} as of {@code renewedAt}, valid for {@code duration}. */
  public static Lease of(String namespace, String node, SortedMap<String, Long> versions,
      Instant renewedAt, Duration duration) {
    try {
      return new LeaseBuilder()
          .withNewMetadata()
            .withNamespace(namespace)
            .withName(name(node))
            .addToLabels(REPORT_LABEL, "true")
            .addToAnnotations(VERSIONS_ANNOTATION, JSON.writeValueAsString(versions))
          .endMetadata()
          .withNewSpec()
            .withHolderIdentity(node)
            .withLeaseDurationSeconds((int) duration.toSeconds())
            .withRenewTime(ZonedDateTime.ofInstant(renewedAt, ZoneOffset.UTC))
          .endSpec()
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write resource versions " + versions, e);
    }
  }

  /**
   * The report a Lease holds, current if renewed within its duration before {@code now}; empty
   * for a Lease that is no agent report or that cannot be read (no holder, no renew time, an
   * annotation that is no map of versions: someone else wrote it).
   */
  public static Optional<AgentReport> read(Lease lease, Instant now) {
    var spec = lease.getSpec();
    String versions = lease.getMetadata().getAnnotations() == null ? null
        : lease.getMetadata().getAnnotations().get(VERSIONS_ANNOTATION);
    if (spec == null || spec.getHolderIdentity() == null || spec.getRenewTime() == null
        || spec.getLeaseDurationSeconds() == null || versions == null) {
      return Optional.empty();
    }
    try {
      Map<String, Long> enforced = JSON.readValue(versions, new TypeReference<>() {});
      Instant renewedAt = spec.getRenewTime().toInstant();
      boolean current = now.isBefore(
          renewedAt.plusSeconds(spec.getLeaseDurationSeconds()));
      return Optional.of(AgentReport.of(spec.getHolderIdentity(), enforced, renewedAt, current));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
