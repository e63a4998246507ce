package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {
  @Test
  void nearestRankOfMeasuredDurations() {
    long[] shuffled = LongStream.rangeClosed(1, 200).map(n -> (n * 37) % 200 + 1).toArray();
    assertThat(Percentiles.of(shuffled)).isEqualTo(new Percentiles(200, 100, 198));
    assertThat(Percentiles.of(new long[] {7})).isEqualTo(new Percentiles(1, 7, 7));
    assertThatThrownBy(() -> Percentiles.of(new long[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
