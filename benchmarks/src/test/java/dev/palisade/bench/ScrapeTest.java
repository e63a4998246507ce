package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ScrapeTest {
  private static final String BEFORE = """
      # HELP palisade_enforcement_delay_seconds Time from an API event's receipt ...
      # TYPE palisade_enforcement_delay_seconds histogram
      palisade_enforcement_delay_seconds_bucket{le="0.001"} 0
      palisade_enforcement_delay_seconds_bucket{le="0.002"} 10
      palisade_enforcement_delay_seconds_bucket{le="0.004"} 10
      palisade_enforcement_delay_seconds_bucket{le="+Inf"} 10
      palisade_enforcement_delay_seconds_count 10
      palisade_sync_duration_seconds_count 4.0
      palisade_rules{family="ipv4"} 12
      """;
  private static final String AFTER = """
      palisade_enforcement_delay_seconds_bucket{le="0.001"} 0
      palisade_enforcement_delay_seconds_bucket{le="0.002"} 10
      palisade_enforcement_delay_seconds_bucket{le="0.004"} 110
      palisade_enforcement_delay_seconds_bucket{le="+Inf"} 120
      palisade_enforcement_delay_seconds_count 120
      palisade_sync_duration_seconds_count 115.0
      """;

  @Test
  void readsUnlabelledSamplesOnly() {
    assertThat(new Scrape(BEFORE).value("palisade_sync_duration_seconds_count")).isEqualTo(4.0);
    assertThatThrownBy(() -> new Scrape(BEFORE).value("palisade_rules"))
        .hasMessageContaining("no sample palisade_rules");
  }

  @Test
  void aPhaseIsTheBucketDifferenceAndItsQuantilesAreInterpolatedInsideABucket() {
    Scrape.Histogram phase = new Scrape(AFTER).histogram("palisade_enforcement_delay_seconds")
        .minus(new Scrape(BEFORE).histogram("palisade_enforcement_delay_seconds"));
    assertThat(phase.count()).isEqualTo(110);
    // 100 of 110 observations lie in (2 ms, 4 ms]: the median is rank 55, the 55th of them
    assertThat(phase.quantile(0.5)).isCloseTo(0.002 + 0.002 * 55 / 100, within(1e-9));
    // rank 108.9 lies beyond the last finite bucket (100 of 110): only "> 4 ms" is known
    assertThat(phase.quantile(0.99)).isInfinite();
    assertThat(phase.largestFiniteBound()).isEqualTo(0.004);
    assertThat(phase.plus(phase).count()).isEqualTo(220);
  }

  @Test
  void anEmptyPhaseHasNoQuantile() {
    Scrape.Histogram before = new Scrape(BEFORE).histogram("palisade_enforcement_delay_seconds");
    assertThat(before.minus(before).quantile(0.5)).isNaN();
  }
}
