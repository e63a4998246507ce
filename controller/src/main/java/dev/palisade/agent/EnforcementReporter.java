package dev.palisade.agent;

import dev.palisade.model.ObjectRef;
import dev.palisade.realization.AgentLease;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the cluster what this node enforces, for the controller's "enforced on N of M nodes"
 * and {@code palisade status}: keeps the node's {@link AgentLease} in the agent's namespace
 * holding the per-kind resource versions the kernel enforces. It writes when those change and
 * renews every third of the lease duration otherwise, so one or two failed renewals do not make
 * the node look gone; a Lease not renewed within its duration means the node no longer reports.
 *
 * <p>A scheduled thread of its own checks every {@code checkInterval}: the sync never waits for
 * the API server. A failed write (the API server away, a 403 where the chart's grant is
 * missing) is logged when the trouble changes and tried again at the next check; it never stops
 * the agent, whose enforcement does not depend on it.
 *
 * <p>The agent's pod owns the Lease, so the garbage collector deletes it with the pod: an
 * uninstall leaves none behind, and a node that is removed (its pod with it) stops counting
 * among the nodes instead of counting forever as one that does not report.
 */
final class EnforcementReporter implements AutoCloseable {
  static final Duration LEASE_DURATION = Duration.ofSeconds(30);
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);
  private static final Logger log = LoggerFactory.getLogger(EnforcementReporter.class);

  private final KubernetesClient client;
  private final ObjectRef pod;
  private final String namespace;
  private final String node;
  private final Supplier<? extends SortedMap<String, Long>> enforcedVersions;
  private final Clock clock;
  private final Duration leaseDuration;
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(
      runnable -> {
        Thread thread = new Thread(runnable, "palisade-enforcement-report");
        thread.setDaemon(true);
        return thread;
      });
  /** Touched by the writer thread only. */
  private Map<String, Long> written;
  private Instant writtenAt = Instant.MIN;
  private boolean leaseExists;
  private OwnerReference owner;
  private Optional<String> trouble = Optional.empty();

  /** @param pod the agent's own pod: the Lease's namespace and owner */
  EnforcementReporter(KubernetesClient client, ObjectRef pod, String node,
      Supplier<? extends SortedMap<String, Long>> enforcedVersions, Clock clock,
      Duration leaseDuration) {
    this.client = client;
    this.pod = pod;
    this.namespace = pod.namespace();
    this.node = node;
    this.enforcedVersions = enforcedVersions;
    this.clock = clock;
    this.leaseDuration = leaseDuration;
  }

  /** Checks every {@code checkInterval}, from now on, whether the Lease needs writing. */
  void start(Duration checkInterval) {
    log.info("reporting enforced versions in Lease {}/{}", namespace, AgentLease.name(node));
    writer.scheduleWithFixedDelay(this::check, 0, checkInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void check() {
    SortedMap<String, Long> versions = enforcedVersions.get();
    Instant now = clock.instant();
    if (versions.equals(written) && now.isBefore(writtenAt.plus(leaseDuration.dividedBy(3)))) {
      return;
    }
    Lease lease = AgentLease.of(namespace, node, versions, now, leaseDuration);
    try {
      lease.getMetadata().setOwnerReferences(List.of(owner()));
      write(lease);
      written = versions;
      writtenAt = now;
      if (trouble.isPresent()) {
        log.info("the enforcement report in Lease {}/{} is written again", namespace,
            AgentLease.name(node));
        trouble = Optional.empty();
      }
    } catch (RuntimeException e) {
      // Whatever fails, the next check tries again: an exception that left this task would end
      // the schedule. A 404 may be the Lease's (someone deleted it): the next write creates it.
      if (e instanceof KubernetesClientException api
          && api.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        leaseExists = false;
      }
      Optional<String> failure = Optional.of(ApiErrors.explain(e));
      if (!failure.equals(trouble)) {
        log.warn("cannot write the enforcement report in Lease {}/{} ({}); the controller "
            + "counts this node as not reporting until it is written; enforcement goes on",
            namespace, AgentLease.name(node), failure.get());
      }
      trouble = failure;
    }
  }

  /** The agent's pod as the Lease's owner, read once (its uid). */
  private OwnerReference owner() {
    if (owner == null) {
      Pod self = client.pods().inNamespace(pod.namespace()).withName(pod.name()).get();
      if (self == null) {
        throw new KubernetesClientException("my pod " + pod + " does not exist",
            HttpURLConnection.HTTP_NOT_FOUND, null);
      }
      owner = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
          .withName(pod.name()).withUid(self.getMetadata().getUid()).build();
    }
    return owner;
  }

  /**
   * Updates the Lease (fabric8 reads its current version, then writes), creating it first when
   * this agent has not seen it yet.
   */
  private void write(Lease lease) {
    var leases = client.leases().inNamespace(namespace).resource(lease);
    if (leaseExists) {
      leases.update();
    } else {
      leases.createOr(NonDeletingOperation::update);
      leaseExists = true;
    }
  }

  /** Stops reporting; the Lease expires and the node then counts as not reporting. */
  @Override
  public void close() {
    writer.shutdownNow();
  }
}
