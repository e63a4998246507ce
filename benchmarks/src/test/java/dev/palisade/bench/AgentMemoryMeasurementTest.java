package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.bench.AgentMemoryMeasurement.Result;
import dev.palisade.bench.AgentMemoryMeasurement.Settings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The memory measurement at a small size, so that it cannot rot: the shipped jar with the
 * chart's JVM options programs a node network namespace (root), and the figures come out.
 */
@Tag("kernel")
class AgentMemoryMeasurementTest {
  private static final Path REPOSITORY = Path.of(System.getProperty("palisade.repository"));

  @Test
  void measuresTheResidentMemoryOfTheRealAgentWithTheChartsOptions() throws Exception {
    Settings settings = Settings.chart(REPOSITORY).withSteadyState(Duration.ofSeconds(2))
        .withHistogram();
    Result result = AgentMemoryMeasurement.measure(ClusterSize.of(10, 500, 50), settings);

    assertThat(result.jvmOptions()).as("the chart's options").contains("-XX:+UseSerialGC");
    assertThat(result.nodePods()).isPositive();
    assertThat(result.rssAtFirstSyncKib()).isPositive();
    assertThat(result.peakAtFirstSyncKib()).isGreaterThanOrEqualTo(result.rssAtFirstSyncKib());
    assertThat(result.peakSteadyKib()).isGreaterThanOrEqualTo(result.rssSteadyKib());
    assertThat(result.histogram()).contains("class name", "Total");
    assertThat(result.tableRow()).startsWith("| 500 | 50 | 10 | " + result.nodePods() + " |");
  }
}
