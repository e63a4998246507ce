package dev.palisade.bench;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of an agent's {@code /metrics} (Prometheus text format): the samples the benchmark
 * reads, a plain value or a histogram's cumulative buckets.
 */
record Scrape(String text) {
  private static final Pattern SAMPLE = Pattern.compile(
      "(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");
  private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

  /** The value of an unlabelled sample, e.g. {@code palisade_sync_duration_seconds_count}. */
  double value(String name) {
    Matcher sample = SAMPLE.matcher(text);
    while (sample.find()) {
      if (sample.group(1).equals(name) && sample.group(2) == null) {
        return Double.parseDouble(sample.group(3));
      }
    }
    throw new IllegalStateException("the agent's /metrics has no sample " + name);
  }

  /** The cumulative buckets of histogram {@code name} (without the {@code _bucket} suffix). */
  Histogram histogram(String name) {
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    Matcher sample = SAMPLE.matcher(text);
    while (sample.find()) {
      if (sample.group(1).equals(name + "_bucket") && sample.group(2) != null) {
        Matcher le = LE.matcher(sample.group(2));
        if (le.find()) {
          buckets.put(bound(le.group(1)), Double.parseDouble(sample.group(3)));
        }
      }
    }
    if (buckets.isEmpty()) {
      throw new IllegalStateException("the agent's /metrics has no histogram " + name);
    }
    return new Histogram(buckets);
  }

  private static double bound(String le) {
    return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
  }

  /**
   * A Prometheus histogram: per upper bound (seconds), how many observations were at most that.
   * Quantiles are interpolated linearly inside the bucket that holds them, as Prometheus's
   * {@code histogram_quantile} does, so they are estimates within the bucket's width.
   */
  record Histogram(NavigableMap<Double, Double> cumulative) {
    /** What was observed between {@code earlier} and this scrape. */
    Histogram minus(Histogram earlier) {
      NavigableMap<Double, Double> difference = new TreeMap<>();
      for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
        difference.put(bucket.getKey(),
            bucket.getValue() - earlier.cumulative.getOrDefault(bucket.getKey(), 0.0));
      }
      return new Histogram(difference);
    }

    /** The observations of both (the same buckets). */
    Histogram plus(Histogram other) {
      NavigableMap<Double, Double> sum = new TreeMap<>(cumulative);
      other.cumulative.forEach((bound, count) -> sum.merge(bound, count, Double::sum));
      return new Histogram(sum);
    }

    long count() {
      return Math.round(cumulative.lastEntry().getValue());
    }

    /**
     * The q-quantile in seconds; infinite when it lies beyond the largest finite bound, NaN
     * for an empty histogram.
     */
    double quantile(double q) {
      double total = cumulative.lastEntry().getValue();
      if (total <= 0) {
        return Double.NaN;
      }
      double rank = q * total;
      double lowerBound = 0;
      double lowerCount = 0;
      for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
        if (bucket.getValue() >= rank) {
          if (bucket.getKey().isInfinite()) {
            return Double.POSITIVE_INFINITY;
          }
          double inBucket = bucket.getValue() - lowerCount;
          double fraction = inBucket == 0 ? 1 : (rank - lowerCount) / inBucket;
          return lowerBound + (bucket.getKey() - lowerBound) * fraction;
        }
        lowerBound = bucket.getKey();
        lowerCount = bucket.getValue();
      }
      return Double.POSITIVE_INFINITY;
    }

    /** The largest finite bound: a quantile beyond it is only known to exceed it. */
    double largestFiniteBound() {
      return cumulative.headMap(Double.POSITIVE_INFINITY, false).lastKey();
    }
  }
}
