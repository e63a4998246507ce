package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleReportTest {
  private static Scrape.Histogram histogram(Map<Double, Double> cumulative) {
    return new Scrape.Histogram(new TreeMap<>(cumulative));
  }

  @Test
  void delaysAreJudgedByTheirP99() {
    Scrape.Histogram fast = histogram(Map.of(0.005, 99.0, 0.010, 100.0,
        Double.POSITIVE_INFINITY, 100.0));
    Scrape.Histogram slow = histogram(Map.of(0.005, 90.0, 0.010, 95.0,
        Double.POSITIVE_INFINITY, 100.0));
    ScaleReport.Row met = ScaleReport.delays("pod event", 0.010, fast, 100);
    assertThat(met.verdict()).isEqualTo(ScaleReport.Verdict.MET);
    assertThat(met.measured()).isEqualTo("p50 2.53 ms, p99 5.00 ms (100 events in 100 syncs)");
    ScaleReport.Row missed = ScaleReport.delays("pod event", 0.010, slow, 98);
    assertThat(missed.verdict()).isEqualTo(ScaleReport.Verdict.MISSED);
    assertThat(missed.measured()).isEqualTo("p50 2.78 ms, p99 > 10.0 ms (100 events in 98 syncs)");
  }

  @Test
  void theTableShowsTargetsBesideFigures() {
    ScaleReport report = new ScaleReport();
    report.add(ScaleReport.judged("restart", "≤ 2 s", "1200 ms", true));
    report.add(ScaleReport.pending("RSS", "≤ 256 MiB", "AgentMemoryMeasurement"));
    assertThat(report.table()).isEqualTo("""
        | Figure | Target | Measured | Verdict |
        | --- | --- | --- | --- |
        | restart | ≤ 2 s | 1200 ms | MET |
        | RSS | ≤ 256 MiB | not wired: AgentMemoryMeasurement | PENDING |
        """);
  }
}
