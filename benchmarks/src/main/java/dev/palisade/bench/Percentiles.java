package dev.palisade.bench;

import java.util.Arrays;

/** Median and 99th percentile of measured durations (nearest rank: exact, no interpolation). */
record Percentiles(int count, long p50Nanos, long p99Nanos) {
  static Percentiles of(long[] nanos) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no durations measured");
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Percentiles(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99));
  }

  private static long rank(long[] sorted, double quantile) {
    int rank = (int) Math.ceil(quantile * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }
}
