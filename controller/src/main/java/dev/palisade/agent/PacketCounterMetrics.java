package dev.palisade.agent;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.kernel.KernelCommandException;
import dev.palisade.dataplane.kernel.PacketCounterReader;
import dev.palisade.dataplane.kernel.PacketCounts;
import dev.palisade.dataplane.state.DesiredState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code palisade_denied_packets_total{namespace,pod,direction}} and
 * {@code palisade_allowed_packets_total{policy}}: the kernel's rule packet counters of the state
 * the last successful sync enforced, read when /metrics is scraped (never by the sync), at most
 * once per {@link #MAX_AGE} however many scrapers ask, and never reset. A read that fails is
 * logged (once until one succeeds again) and the last counts are served meanwhile: a counter
 * that stands still is honest, one that vanishes would look like a reset.
 *
 * <p>Thread-safe: scrapes may overlap; one reads, the others wait for its answer.
 */
final class PacketCounterMetrics implements MultiCollector {
  /** Longest a scrape is answered from an earlier read: Prometheus scrapes every 15 s or more. */
  static final Duration MAX_AGE = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(PacketCounterMetrics.class);

  private final PacketCounterReader reader;
  private final Supplier<Optional<DesiredState>> enforced;
  private final Ticker ticker;
  private PacketCounts counts = PacketCounts.NONE;
  /** Ticker time of the last read, or empty before the first. */
  private Optional<Long> readAt = Optional.empty();
  private boolean failing;

  /** @param enforced the state of the last successful sync: whose chain is whose */
  PacketCounterMetrics(PacketCounterReader reader, Supplier<Optional<DesiredState>> enforced,
      Ticker ticker) {
    this.reader = reader;
    this.enforced = enforced;
    this.ticker = ticker;
  }

  @Override
  public synchronized MetricSnapshots collect() {
    long now = ticker.read();
    if (readAt.isEmpty() || now - readAt.get() >= MAX_AGE.toNanos()) {
      readAt = Optional.of(now);
      enforced.get().ifPresent(this::read);
    }
    return snapshots(counts);
  }

  private void read(DesiredState state) {
    try {
      counts = reader.read(state);
      if (failing) {
        log.info("reading the rule packet counters works again");
        failing = false;
      }
    } catch (KernelCommandException e) {
      if (!failing) {
        log.warn("cannot read the rule packet counters; /metrics keeps the last ones: {}",
            e.getMessage());
        failing = true;
      }
    }
  }

  static MetricSnapshots snapshots(PacketCounts counts) {
    CounterSnapshot.Builder denied = CounterSnapshot.builder()
        .name("palisade_denied_packets")
        .help("Packets a local pod's chain denied (dropped or rejected: no policy allowed them),"
            + " from the kernel's rule counters");
    counts.denied().forEach((key, packets) -> denied.dataPoint(CounterDataPointSnapshot.builder()
        .labels(Labels.of("namespace", key.pod().namespace(), "pod", key.pod().name(),
            "direction", key.direction().name().toLowerCase(Locale.ROOT)))
        .value(packets).build()));
    CounterSnapshot.Builder allowed = CounterSnapshot.builder()
        .name("palisade_allowed_packets")
        .help("New connections' packets a policy allowed to local pods (the first allowing "
            + "policy by name counts), from the kernel's rule counters");
    counts.allowed().forEach((policy, packets) -> allowed.dataPoint(
        CounterDataPointSnapshot.builder().labels(Labels.of("policy", policy.toString()))
            .value(packets).build()));
    return new MetricSnapshots(denied.build(), allowed.build());
  }
}
