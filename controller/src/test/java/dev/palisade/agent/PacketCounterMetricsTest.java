package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.IptablesBackend;
import dev.palisade.dataplane.kernel.PacketCounterReader;
import dev.palisade.dataplane.state.ChainOwner;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PacketCounterMetricsTest {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final DesiredState STATE = new DesiredState(
      family(IpFamily.V4, ImmutableSortedMap.of(
          "PALISADE-PI-x.a-1", ChainOwner.pod(ObjectRef.of("x", "a"), Direction.INGRESS),
          "PALISADE-RI-x.web-2", ChainOwner.policy(ObjectRef.of("x", "web"),
              Direction.INGRESS))),
      family(IpFamily.V6, ImmutableSortedMap.of()));

  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = new Ticker() {
    @Override
    public long read() {
      return nanos.get();
    }
  };
  /** The save output the fake kernel answers; null: the command fails. */
  private final AtomicReference<String> kernel = new AtomicReference<>(save(4, 2));
  private final List<List<String>> commands = new ArrayList<>();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void aScrapeShowsTheKernelsCountsPerPodAndPolicy() {
    register(Optional.of(STATE));

    String scraped = registry.scrape();

    assertThat(scraped).contains(
        "palisade_denied_packets_total{direction=\"ingress\",namespace=\"x\",pod=\"a\"} 2.0",
        "palisade_allowed_packets_total{policy=\"x/web\"} 4.0");
    assertThat(commands).as("one save, of the family that has pod chains")
        .containsExactly(List.of("iptables-nft-save", "-c", "-t", "filter"));
  }

  /** The benchmark polls the delay histogram every 5 ms: those scrapes must not read counters. */
  @Test
  void aScrapeOfOtherFamiliesNeitherReadsTheKernelNorBuildsTheCounters() {
    register(Optional.of(STATE));
    registry.counter("palisade_syncs").increment();

    String other = registry.scrape(PROMETHEUS_TEXT, Set.of("palisade_syncs"));
    List<List<String>> commandsForOther = List.copyOf(commands);
    String ours = registry.scrape(PROMETHEUS_TEXT, Set.of("palisade_allowed_packets"));

    assertThat(other).contains("palisade_syncs_total").doesNotContain("packets");
    assertThat(commandsForOther).as("the other family's scrape read no counters").isEmpty();
    assertThat(ours).contains("palisade_allowed_packets_total{policy=\"x/web\"} 4.0");
    assertThat(commands).hasSize(1);
  }

  @Test
  void scrapesWithinTheMaximumAgeShareOneReadAndLaterOnesReadAgain() {
    register(Optional.of(STATE));
    registry.scrape();
    kernel.set(save(9, 7));

    nanos.addAndGet(PacketCounterMetrics.MAX_AGE.toNanos() - 1);
    String cached = registry.scrape();
    nanos.addAndGet(1);
    String fresh = registry.scrape();

    assertThat(cached).contains("palisade_allowed_packets_total{policy=\"x/web\"} 4.0");
    assertThat(fresh).contains("palisade_allowed_packets_total{policy=\"x/web\"} 9.0");
    assertThat(commands).hasSize(2);
  }

  @Test
  void aFailedReadKeepsTheLastCounts() {
    register(Optional.of(STATE));
    registry.scrape();
    kernel.set(null);
    nanos.addAndGet(PacketCounterMetrics.MAX_AGE.toNanos());

    assertThat(registry.scrape()).contains(
        "palisade_denied_packets_total{direction=\"ingress\",namespace=\"x\",pod=\"a\"} 2.0");
  }

  @Test
  void beforeTheFirstSuccessfulSyncNothingIsReadOrCounted() {
    register(Optional.empty());

    assertThat(registry.scrape()).doesNotContain("palisade_denied_packets_total{",
        "palisade_allowed_packets_total{");
    assertThat(commands).isEmpty();
  }

  private void register(Optional<DesiredState> enforced) {
    PacketCounterReader reader = new PacketCounterReader((argv, stdin) -> {
      commands.add(argv);
      String answer = kernel.get();
      return answer == null ? new CommandResult(1, "", "iptables-save: gone")
          : CommandResult.ok(answer);
    }, IptablesBackend.NFT);
    registry.getPrometheusRegistry().register(new PacketCounterMetrics(() -> enforced.isEmpty()
        ? Optional.empty() : Optional.of(TestDataplanes.counting(reader).counts(enforced.get())),
        ticker));
  }

  /** x/a's ingress chain: {@code allowed} packets returned after x/web, {@code denied} dropped. */
  private static String save(long allowed, long denied) {
    return String.join("\n",
        "*filter",
        "[" + allowed + ":0] -A PALISADE-PI-x.a-1 -m comment --comment \"pal:1\" "
            + "-j PALISADE-RI-x.web-2",
        "[" + allowed + ":0] -A PALISADE-PI-x.a-1 -m mark --mark 0x10000/0x10000 "
            + "-m comment --comment \"pal:2\" -j RETURN",
        "[" + denied + ":0] -A PALISADE-PI-x.a-1 -m comment --comment \"pal:3\" -j DROP",
        "COMMIT", "");
  }

  private static FamilyState family(IpFamily family,
      ImmutableSortedMap<String, ChainOwner> owners) {
    return new FamilyState(family, ImmutableSortedMap.of(), ImmutableList.of(),
        ImmutableSortedMap.of(), owners);
  }
}
