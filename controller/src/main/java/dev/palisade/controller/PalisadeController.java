package dev.palisade.controller;

import dev.palisade.k8s.ModelConverter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The cluster controller: one JOSDK {@link Operator} with the {@link PolicyReconciler},
 * leader-elected with a Lease so that only one replica publishes Events; beside it the {@link
 * RealizationPublisher}, which counts per policy the nodes that enforce it from the agents'
 * report Leases in the same namespace as the election's.
 *
 * <p>Lifecycle: {@link #start()} starts the informers and joins the election (JOSDK first checks
 * with a SelfSubjectRulesReview that it may get, create and update Leases, and fails the start
 * otherwise); reconciliation begins once this replica leads. See {@link Leadership} for what
 * happens when the lease is lost: this instance is done then, and {@link ControllerReplica}
 * starts a fresh one that rejoins as a standby. {@link #close()} stops the operator; the client stays open,
 * it belongs to the caller. Stopping does not hand the lease over: a successor takes it when it
 * expires (15 s, JOSDK's default lease duration).
 */
public final class PalisadeController implements AutoCloseable {
  private final Operator operator;
  private final Leadership leadership;
  private final ClusterAnalyzer analyzer;
  private final RealizationPublisher realization;
  private final AtomicBoolean closed = new AtomicBoolean();

  public PalisadeController(KubernetesClient client, ControllerSettings settings,
      MeterRegistry registry, Clock clock, GraphLint lint) {
    this(client, settings, clock, lint,
        analyzer -> new ControllerMetrics(registry, analyzer::latest));
  }

  /**
   * @param metrics the metrics over this controller's analyzer; a {@link ControllerReplica}
   *     passes the same ones to each controller it runs (gauges are registered once)
   */
  PalisadeController(KubernetesClient client, ControllerSettings settings, Clock clock,
      GraphLint lint, Function<ClusterAnalyzer, ControllerMetrics> metrics) {
    this.leadership = new Leadership(settings.identity());
    var converter = new ModelConverter();
    this.analyzer = new ClusterAnalyzer(converter, lint);
    ControllerMetrics controllerMetrics = metrics.apply(analyzer);
    // The agents report in the release namespace, which is also the leader Lease's.
    this.realization = new RealizationPublisher(client, settings.leaseNamespace(), leadership,
        controllerMetrics.realization(),
        new EnforcedEvents(client, clock, settings.identity()), clock);
    var reconciler = new PolicyReconciler(converter, analyzer,
        new FindingEvents(client, clock, settings.refreshInterval(), settings.identity()),
        controllerMetrics, leadership, realization);
    this.operator = new Operator(config -> config
        .withKubernetesClient(client)
        .withCloseClientOnStop(false)
        // Nothing here patches a policy; were it to, SSA is refused by the mock server (415)
        // and would put a field manager on users' objects.
        .withUseSSAToPatchPrimaryResource(false)
        .withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(settings.leaseName())
            .withLeaseNamespace(settings.leaseNamespace())
            .withIdentity(settings.identity())
            .withLeaderCallbacks(leadership.callbacks())
            .withExitOnStopLeading(false)
            .build()));
    operator.register(reconciler, overrides -> overrides
        .watchingAllNamespaces()
        .withReconciliationMaxInterval(settings.refreshInterval()));
  }

  public void start() {
    operator.start();
    realization.start(RealizationPublisher.INTERVAL);
  }

  /** Started, and every informer connected and synced. Standby replicas are ready too. */
  public boolean isReady() {
    return operator.getRuntimeInfo().isStarted()
        && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public boolean isLeading() {
    return leadership.isLeading();
  }

  /** Completes when this replica, having led, loses the lease. */
  public CompletableFuture<Void> leadershipLost() {
    return leadership.lost();
  }

  /** The latest analysis of the whole cluster (empty before the first reconciliation). */
  public ClusterAnalysis latestAnalysis() {
    return analyzer.latest();
  }

  /** Stops the operator once; a shutdown hook and the command's own exit may both call it. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      realization.close();
      operator.stop();
    }
  }
}
