package dev.palisade.agent;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.kernel.PacketCounts;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code palisade_denied_packets_total{namespace,pod,direction}} and
 * {@code palisade_allowed_packets_total{policy}}: the dataplane's packet counters (the rules' or
 * the eBPF program's) of the state the last successful sync enforced, read when /metrics is scraped (never by the sync), at most
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
  private static final String DENIED = "palisade_denied_packets";
  private static final String ALLOWED = "palisade_allowed_packets";

  private final Reader reader;
  private final Ticker ticker;
  private PacketCounts counts = PacketCounts.NONE;
  /** Ticker time of the last read, or empty before the first. */
  private Optional<Long> readAt = Optional.empty();
  private boolean failing;

  /** Reads the counts of the state the last successful sync enforced. */
  @FunctionalInterface
  interface Reader {
    /** Empty before a sync has succeeded: nothing is counted yet. */
    Optional<PacketCounts> read() throws IOException;
  }

  PacketCounterMetrics(Reader reader, Ticker ticker) {
    this.reader = reader;
    this.ticker = ticker;
  }

  /**
   * The families this collector serves: a scrape that asks for others ({@code
   * /metrics?name[]=...}) skips it, instead of building a data point per policy and pod to
   * throw away.
   */
  @Override
  public List<String> getPrometheusNames() {
    return List.of(DENIED, ALLOWED);
  }

  @Override
  public synchronized MetricSnapshots collect() {
    long now = ticker.read();
    if (readAt.isEmpty() || now - readAt.get() >= MAX_AGE.toNanos()) {
      readAt = Optional.of(now);
      read();
    }
    return snapshots(counts);
  }

  private void read() {
    try {
      Optional<PacketCounts> read = reader.read();
      if (read.isEmpty()) {
        return;
      }
      counts = read.get();
      if (failing) {
        log.info("reading the packet counters works again");
        failing = false;
      }
    } catch (IOException e) {
      if (!failing) {
        log.warn("cannot read the packet counters; /metrics keeps the last ones: {}",
            e.getMessage());
        failing = true;
      }
    }
  }

  static MetricSnapshots snapshots(PacketCounts counts) {
    CounterSnapshot.Builder denied = CounterSnapshot.builder()
        .name(DENIED)
        .help("Packets a local pod's chain denied (dropped or rejected: no policy allowed them),"
            + " from the kernel's rule counters");
    counts.denied().forEach((key, packets) -> denied.dataPoint(CounterDataPointSnapshot.builder()
        .labels(Labels.of("namespace", key.pod().namespace(), "pod", key.pod().name(),
            "direction", key.direction().name().toLowerCase(Locale.ROOT)))
        .value(packets).build()));
    CounterSnapshot.Builder allowed = CounterSnapshot.builder()
        .name(ALLOWED)
        .help("New connections' packets a policy allowed to local pods (the first allowing "
            + "policy by name counts), from the kernel's rule counters");
    counts.allowed().forEach((policy, packets) -> allowed.dataPoint(
        CounterDataPointSnapshot.builder().labels(Labels.of("policy", policy.toString()))
            .value(packets).build()));
    return new MetricSnapshots(denied.build(), allowed.build());
  }
}
