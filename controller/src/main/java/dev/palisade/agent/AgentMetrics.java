package dev.palisade.agent;

import dev.palisade.dataplane.backend.Footprint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's Prometheus metrics. Instances, not globals: the registry comes in through the
 * constructor, so tests read the numbers they produced.
 */
final class AgentMetrics {
  private final MeterRegistry registry;
  private final Timer syncDuration;
  private final Timer enforcementDelay;
  private final Counter syncFailures;
  private final Counter driftRepairs;
  /** The dataplane's gauges of what it holds in the kernel, registered as they first come. */
  private final Map<Footprint, AtomicLong> footprint = new ConcurrentHashMap<>();
  private final AtomicLong localEndpoints = new AtomicLong();
  private final AtomicLong policies = new AtomicLong();
  private final AtomicLong policiesFailingClosed = new AtomicLong();
  private final AtomicLong enforcedResourceVersion = new AtomicLong(-1);
  private final AtomicLong leftovers = new AtomicLong();

  AgentMetrics(MeterRegistry registry, GraphCompleteness completeness,
      EnforcementTracker tracker) {
    this.registry = registry;
    this.syncDuration = Timer.builder("palisade.sync.duration")
        .description("Time to compile the model and bring the kernel to it")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    this.enforcementDelay = Timer.builder("palisade.enforcement.delay")
        .description("Time from an API event's receipt until the kernel enforces it")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(1))
        .register(registry);
    this.syncFailures = Counter.builder("palisade.sync.failures")
        .description("Syncs that did not bring the kernel to the desired state")
        .register(registry);
    this.driftRepairs = Counter.builder("palisade.drift.repairs")
        .description("Syncs that found and repaired Palisade state in the kernel that the agent "
            + "did not write (the state to enforce had not changed since the last success)")
        .register(registry);
    Gauge.builder("palisade.local.endpoints", localEndpoints, AtomicLong::get)
        .description("Endpoint pods on this node").register(registry);
    Gauge.builder("palisade.policies", policies, AtomicLong::get)
        .description("NetworkPolicies in the model").register(registry);
    Gauge.builder("palisade.policies.fail.closed", policiesFailingClosed, AtomicLong::get)
        .description("NetworkPolicies Palisade cannot use and enforces fail-closed: the pods "
            + "they select are isolated, and they allow nothing").register(registry);
    Gauge.builder("palisade.enforced.resource.version", enforcedResourceVersion, AtomicLong::get)
        .description("Highest API resource version the kernel enforces").register(registry);
    FunctionCounter.builder("palisade.enforcement.receipts.dropped", tracker,
            EnforcementTracker::droppedReceipts)
        .description("API events whose enforcement delay was not recorded because too many "
            + "waited for a sync that enforces them (syncs failing or waiting)")
        .register(registry);
    Gauge.builder("palisade.kernel.leftovers", leftovers, AtomicLong::get)
        .description("Palisade chains and sets the last sync had to leave because a foreign "
            + "rule or set holds them (the agent's log names the holder)").register(registry);
    Gauge.builder("palisade.model.complete", completeness,
            model -> model.missingAtAGlance().isEmpty() ? 1 : 0)
        .description("1 when the model holds every watched object (syncs may write), 0 while "
            + "initial lists are being taken in or a watch is down").register(registry);
  }

  /** @param kernelFootprint the dataplane's gauges of the state the sync enforced */
  void syncSucceeded(long durationNanos, List<Footprint> kernelFootprint, int endpoints,
      int policyCount, long enforcedVersion, long[] delaysNanos, int leftoverCount) {
    syncDuration.record(durationNanos, TimeUnit.NANOSECONDS);
    kernelFootprint.forEach(gauge -> footprint.computeIfAbsent(
        new Footprint(gauge.metric(), gauge.tags(), 0), key -> registry.gauge(key.metric(),
            Tags.of(key.tags().entrySet().stream()
                .map(tag -> Tag.of(tag.getKey(), tag.getValue())).toList()),
            new AtomicLong())).set(gauge.value()));
    localEndpoints.set(endpoints);
    policies.set(policyCount);
    enforcedResourceVersion.set(enforcedVersion);
    leftovers.set(leftoverCount);
    for (long delay : delaysNanos) {
      enforcementDelay.record(delay, TimeUnit.NANOSECONDS);
    }
  }

  void syncFailed(long durationNanos) {
    syncDuration.record(durationNanos, TimeUnit.NANOSECONDS);
    syncFailures.increment();
  }

  void driftRepaired() {
    driftRepairs.increment();
  }

  void policiesFailingClosed(int count) {
    policiesFailingClosed.set(count);
  }

  void invalidObject(String kind) {
    registry.counter("palisade.invalid.objects", "kind", kind).increment();
  }
}
