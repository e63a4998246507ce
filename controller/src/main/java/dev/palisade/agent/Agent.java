package dev.palisade.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.base.Ticker;
import dev.palisade.dataplane.backend.Dataplane;
import dev.palisade.dataplane.backend.Outcome;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.http.HealthServer;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.k8s.TrimmedObjects;
import dev.palisade.model.RuleGraph;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: watches Namespaces, Pods and NetworkPolicies in all namespaces, keeps the
 * rule graph up to date, and drives one bounded-frequency sync that brings this node's kernel
 * to the compiled state. Its writes to the API: an Event on its Node for each Palisade chain
 * or set that a foreign object holds in the kernel ({@link NodeEvents}), and, when it knows its
 * pod's namespace, the Lease that reports what it enforces ({@link EnforcementReporter}).
 *
 * <p>Lifecycle: {@link #start()} serves health endpoints, starts the informers and waits until
 * their caches are synced; no sync writes before the rule graph has taken in all they hold
 * ({@link GraphCompleteness}), so a start or restart never writes a half-known cluster (it
 * adopts what the kernel holds and leaves it alone meanwhile); readiness turns true after the
 * first successful sync and follows the syncs after it, liveness follows the sync loop ({@link
 * SyncHealth}). When the API
 * server is unreachable, the informers retry and the kernel keeps the last state. {@link
 * #close()} stops watching and syncing and leaves the kernel as it is: rules stay in force
 * across restarts and upgrades; removing them is {@code palisade cleanup}'s job.
 */
public final class Agent<S> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  /** Thread-safe once configured; building one per /status request cost more than the answer. */
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Informers list (and relist) in pages of this many objects, each trimmed into the cache
   * before the next is read: at 50,000 pods one unpaged list of full objects would take over a
   * GiB of heap at once (docs/performance.md, "Agent memory"). Smaller than client-go's 500
   * because the handlers now take each page in while the next is read: a young collection in
   * the middle of a page copies the page's full objects, and with 500 of them that overflowed
   * the survivor space into the old generation, whose growth set the agent's peak RSS (246-298
   * MiB at 10,000 pods, against 225-248 with pages of 100; same cold start). Cost: 100 list
   * requests at 10,000 pods; an API server that cannot serve pages from its watch cache reads
   * them from etcd.
   */
  private static final long LIST_PAGE_SIZE = 100;

  private final KubernetesClient client;
  private final AgentSettings settings;
  private final PrometheusMeterRegistry registry;
  private final Dataplane<S> dataplane;
  private final RuleGraph graph = new RuleGraph();
  private final GraphCompleteness completeness = new GraphCompleteness();
  private final ApiErrors apiErrors;
  private final EnforcementTracker tracker;
  private final SyncRunner runner;
  private final ModelFeed feed;
  private final AgentSync<S> sync;
  private final NodeEvents nodeEvents;
  private final AgentMetrics metrics;
  private final Ticker ticker;
  /** Per kind, in start order. */
  private final Map<String, SharedIndexInformer<? extends HasMetadata>> informers =
      new LinkedHashMap<>();
  private HealthServer health;
  private Optional<UninstallWatch> uninstallWatch = Optional.empty();
  private Optional<EnforcementReporter> reporter = Optional.empty();

  /**
   * @param dataplane what compiles the graph for this node and writes it to the kernel
   * @param conntrack where to purge connections that a policy change denies (the node's
   *     command runner), or empty to leave established connections alone
   */
  public Agent(KubernetesClient client, AgentSettings settings, Dataplane<S> dataplane,
      Optional<CommandRunner> conntrack, PrometheusMeterRegistry registry, Ticker ticker) {
    this.client = client;
    this.settings = settings;
    this.registry = registry;
    this.dataplane = dataplane;
    this.tracker = new EnforcementTracker();
    this.apiErrors = new ApiErrors(registry);
    this.ticker = ticker;
    this.metrics = new AgentMetrics(registry, completeness, tracker);
    this.nodeEvents = new NodeEvents(client, settings.nodeName(), Clock.systemUTC());
    // The feed requests syncs of the runner, whose sync takes in the feed's changes.
    this.feed = new ModelFeed(graph, new ModelConverter(), tracker, metrics, this::requestSync,
        ticker);
    this.sync = new AgentSync<>(graph, feed, completeness, apiErrors, settings.nodeName(),
        dataplane, settings.driftCheckInterval(), settings.rehearsals(), tracker, metrics, ticker,
        conntrack.map(ConntrackPurger::new), nodeEvents, this::requestSync);
    // A quiet node still syncs once per drift-check interval, so that drift is found in time.
    Duration quietSync = Collections.min(List.of(settings.maxSyncInterval(),
        settings.driftCheckInterval()));
    this.runner = new SyncRunner("palisade-sync", sync, sync::rehearse,
        new SyncTimer(settings.minSyncInterval(), quietSync,
            settings.retryInterval(), settings.maxRetryInterval()),
        new SyncHealth(ticker, settings.readinessGrace(), settings.stuckSyncTimeout()), ticker);
  }

  private void requestSync() {
    runner.request();
  }

  /**
   * Adds the dataplane's per-pod denied and per-policy allowed packet counters to /metrics, read
   * when scraped ({@link PacketCounterMetrics}). Call before {@link #start()}.
   */
  public void exportPacketCounters() {
    registry.getPrometheusRegistry().register(new PacketCounterMetrics(() -> {
      EnforcedExplainer.Enforced<S> enforced = sync.enforced();
      return enforced == null ? Optional.empty()
          : Optional.of(dataplane.counts(enforced.state()));
    }, ticker));
  }

  /**
   * Starts serving, watching and the sync worker; returns at once. The first sync writes only
   * once the informers have listed and the graph has taken every object in, however long that
   * takes: an API server that is unreachable or refuses the agent (401, 403) is reported
   * ({@link ApiErrors}) and retried with backoff, readiness stays false, and the kernel keeps
   * what it has.
   */
  public void start() throws IOException {
    health = new HealthServer(
        new InetSocketAddress(settings.healthAddress(), settings.healthPort()), "palisade-http",
        runner::notLive, runner::notReady, HealthServer.Metrics.of(registry),
        Map.of("/status", this::statusJson));
    health.serve("/explain", new EnforcedExplainer<>(graph, settings.nodeName(), tracker,
        sync::enforced, dataplane)::answer);
    log.info("agent for node {} serving health and metrics on port {}", settings.nodeName(),
        health.port());
    TrimmedObjects trimmed = new TrimmedObjects();
    CompletableFuture.allOf(
        watch(feed.namespaces(), client.namespaces().withLimit(LIST_PAGE_SIZE)
            .runnableInformer(0), trimmed::namespace),
        watch(feed.pods(), client.pods().inAnyNamespace().withLimit(LIST_PAGE_SIZE)
            .runnableInformer(0), trimmed::pod),
        watch(feed.policies(), client.network().v1().networkPolicies().inAnyNamespace()
            .withLimit(LIST_PAGE_SIZE).runnableInformer(0), trimmed::networkPolicy))
        // when the last list arrives (not when a sync next looks): the cold-start figures
        .thenRun(() -> log.info("initial lists received ({}) at {} ms of process uptime",
            completeness.cached(), ManagementFactory.getRuntimeMXBean().getUptime()));
    uninstallWatch = settings.selfPod().flatMap(pod ->
        UninstallWatch.start(client, pod.namespace(), pod.name()));
    reporter = settings.selfPod().map(pod -> new EnforcementReporter(client, pod,
        settings.nodeName(), tracker::enforcedVersions, Clock.systemUTC(),
        EnforcementReporter.LEASE_DURATION));
    reporter.ifPresent(report -> report.start(EnforcementReporter.CHECK_INTERVAL));
    runner.start();
    runner.request();
  }

  /**
   * Starts one informer whose cache keeps only the {@code trim}med copy of each object; the
   * future completes once its initial list is in its cache.
   */
  private <T extends HasMetadata> CompletableFuture<Void> watch(ModelFeed.Handler<T> handler,
      SharedIndexInformer<T> informer, UnaryOperator<T> trim) {
    TrimmingItemStore<T> cache = new TrimmingItemStore<>(trim);
    informer.itemStore(cache);
    informer.addEventHandler(handler);
    informer.exceptionHandler(apiErrors.handlerFor(handler.kind()));
    informers.put(handler.kind(), informer);
    completeness.track(handler.kind(), informer, handler.takenIn(), cache::versionChanges,
        handler::versionChangesTakenIn);
    return informer.start().toCompletableFuture();
  }

  /** What the informer of a kind ("Pod", ...) caches now: trimmed copies. */
  List<HasMetadata> cached(String kind) {
    return List.copyOf(informers.get(kind).getStore().list());
  }

  /** The port of the health endpoints (the one bound when asked for port 0); after start. */
  int healthPort() {
    return health.port();
  }

  /** Ready once a sync has succeeded, until syncs fail for longer than the grace window. */
  public boolean isReady() {
    return runner.notReady().isEmpty();
  }

  /** Per kind, the highest resource version the kernel enforces. */
  public Map<String, Long> enforcedVersions() {
    return tracker.enforcedVersions();
  }

  /**
   * {"node": ..., "ready": ..., "enforcedResourceVersions": {"Pod": 12, ...}, "modelMissing":
   * what the model still lacks ("" when complete), "apiErrors": the API's refusals ("" when
   * none)}.
   */
  public String statusJson() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("node", settings.nodeName());
    status.put("ready", isReady());
    status.put("enforcedResourceVersion", tracker.enforcedResourceVersion().orElse(-1));
    status.put("enforcedResourceVersions", tracker.enforcedVersions());
    status.put("modelMissing", completeness.missingAtAGlance().orElse(""));
    status.put("apiErrors", apiErrors.latest().orElse(""));
    try {
      return JSON.writeValueAsString(status) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops watching and syncing. The kernel keeps the last state, unless the agent's DaemonSet
   * was deleted (Palisade is being uninstalled): then every Palisade rule and set is removed.
   */
  @Override
  public void close() throws InterruptedException {
    informers.values().forEach(SharedIndexInformer::close);
    runner.close();
    nodeEvents.close();
    reporter.ifPresent(EnforcementReporter::close);
    if (uninstallWatch.map(UninstallWatch::uninstalling).orElse(false)) {
      Outcome removed = dataplane.cleanup();
      log.info("uninstall: removed Palisade's {} state from node {}: {}", dataplane.name(),
          settings.nodeName(), removed.failure().orElse(removed.written()));
      removed.leftovers().forEach(left -> log.warn("uninstall: left in the kernel: {}",
          left.describe()));
    } else {
      log.info("agent for node {} stopped; kernel rules left in force", settings.nodeName());
    }
    uninstallWatch.ifPresent(UninstallWatch::close);
    if (health != null) {
      health.close();
    }
  }
}
