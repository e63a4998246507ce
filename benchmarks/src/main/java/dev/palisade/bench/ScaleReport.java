package dev.palisade.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table the scale benchmark prints: one row per figure of issue 10, with its target beside
 * what was measured and a verdict. Rows of figures that other measurements own are listed too
 * ({@link #pending}), so the table always shows the whole set.
 */
final class ScaleReport {
  /** How a measured figure compares with its target. */
  enum Verdict {
    MET, MISSED,
    /** The issue asks for the figure to be reported, without a target. */
    REPORTED,
    /** The agent under measurement cannot run this part (e.g. an option it lacks). */
    NOT_APPLICABLE,
    /** Another measurement produces this figure; it is not wired into this benchmark yet. */
    PENDING
  }

  record Row(String figure, String target, String measured, Verdict verdict) {}

  private final List<Row> rows = new ArrayList<>();

  void add(Row row) {
    rows.add(row);
  }

  List<Row> rows() {
    return List.copyOf(rows);
  }

  static Row judged(String figure, String target, String measured, boolean met) {
    return new Row(figure, target, measured, met ? Verdict.MET : Verdict.MISSED);
  }

  static Row reported(String figure, String measured) {
    return new Row(figure, "reported", measured, Verdict.REPORTED);
  }

  static Row notApplicable(String figure, String target, String why) {
    return new Row(figure, target, "n/a (" + why + ")", Verdict.NOT_APPLICABLE);
  }

  /** A figure another measurement class owns, for the lead to wire in. */
  static Row pending(String figure, String target, String owner) {
    return new Row(figure, target, "not wired: " + owner, Verdict.PENDING);
  }

  /**
   * The agent's enforcement delays over one phase: p50 and p99 interpolated inside the
   * histogram's buckets, judged by the p99; with the number of syncs that enforced them.
   */
  static Row delays(String figure, double targetP99Seconds, Scrape.Histogram phase,
      long syncs) {
    double p99 = phase.quantile(0.99);
    String measured = "p50 " + seconds(phase.quantile(0.50), phase) + ", p99 "
        + seconds(p99, phase) + " (" + phase.count() + " events in " + syncs + " syncs)";
    return judged(figure, "p99 ≤ " + millis(targetP99Seconds), measured,
        p99 <= targetP99Seconds);
  }

  /** A quantile read from a histogram, "> bound" when it lies beyond the last finite bucket. */
  static String seconds(double quantile, Scrape.Histogram histogram) {
    if (Double.isInfinite(quantile)) {
      return "> " + millis(histogram.largestFiniteBound());
    }
    return millis(quantile);
  }

  static String millis(double seconds) {
    double ms = seconds * 1000;
    return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%,.0f ms",
        ms);
  }

  static String millis(long nanos) {
    return millis(nanos / 1e9);
  }

  /** Markdown: figure | target | measured | verdict. */
  String table() {
    StringBuilder table = new StringBuilder(
        "| Figure | Target | Measured | Verdict |\n| --- | --- | --- | --- |\n");
    for (Row row : rows) {
      table.append("| ").append(row.figure()).append(" | ").append(row.target()).append(" | ")
          .append(row.measured()).append(" | ").append(row.verdict()).append(" |\n");
    }
    return table.toString();
  }
}
