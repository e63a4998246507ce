package dev.palisade.controller;

import dev.palisade.agent.ApiErrors;
import dev.palisade.realization.AgentLease;
import dev.palisade.realization.PolicyVersion;
import dev.palisade.realization.Realization;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes per policy "enforced on N of M nodes" ({@link Realization}) from the agents' report
 * Leases ({@link AgentLease}, watched in the controller's namespace) and the reconciler's policy
 * cache: gauges ({@link RealizationGauges}) and a {@code PolicyEnforced} Event per policy
 * version once every node enforces it ({@link EnforcedEvents}).
 *
 * <p>It publishes on a timer, not on events: a node stops reporting by not renewing its Lease,
 * which no watch event tells. A publication costs one pass over the two caches; it writes only
 * Events, and only while this replica leads. A failed publication is logged and the next one
 * tries again.
 */
final class RealizationPublisher implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final Logger log = LoggerFactory.getLogger(RealizationPublisher.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Leadership leadership;
  private final RealizationGauges gauges;
  private final EnforcedEvents events;
  private final Clock clock;
  private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(
      runnable -> {
        Thread thread = new Thread(runnable, "palisade-realization");
        thread.setDaemon(true);
        return thread;
      });
  private volatile Cache<NetworkPolicy> policies;
  private SharedIndexInformer<Lease> leases;

  /** @param namespace where the agents' report Leases are (the release namespace) */
  RealizationPublisher(KubernetesClient client, String namespace, Leadership leadership,
      RealizationGauges gauges, EnforcedEvents events, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.leadership = leadership;
    this.gauges = gauges;
    this.events = events;
    this.clock = clock;
  }

  /** The policies to publish for: the reconciler's primary cache, once JOSDK made it. */
  void follow(Cache<NetworkPolicy> policyCache) {
    this.policies = policyCache;
  }

  /** Watches the report Leases and publishes every {@code interval}. */
  void start(Duration interval) {
    leases = client.leases().inNamespace(namespace).withLabel(AgentLease.REPORT_LABEL, "true")
        .runnableInformer(0);
    // Never fatal, never given up: without the reports (a 403 where the chart's grant is
    // missing) the controller still lints; publication waits until the informer has synced.
    leases.exceptionHandler((started, failure) -> {
      log.warn("cannot watch the agents' report Leases in {} ({}); retrying", namespace,
          ApiErrors.explain(failure));
      return true;
    });
    leases.start();
    publisher.scheduleWithFixedDelay(this::publishSafely, interval.toMillis(),
        interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void publishSafely() {
    try {
      publish();
    } catch (RuntimeException e) {
      log.warn("cannot publish the policies' realization status: {}", e.toString());
    }
  }

  private void publish() {
    Cache<NetworkPolicy> policyCache = policies;
    if (!leadership.isLeading() || policyCache == null || !leases.hasSynced()) {
      return;
    }
    Instant now = clock.instant();
    Realization realization = Realization.of(
        policyCache.list().map(PolicyVersion::of).toList(),
        leases.getStore().list().stream()
            .flatMap(lease -> AgentLease.read(lease, now).stream()).toList());
    gauges.show(realization);
    events.announce(realization);
  }

  /** Stops publishing; the gauges show nothing until a leader here publishes again. */
  @Override
  public void close() {
    publisher.shutdownNow();
    if (leases != null) {
      leases.close();
    }
    gauges.show(Realization.NONE);
  }
}
