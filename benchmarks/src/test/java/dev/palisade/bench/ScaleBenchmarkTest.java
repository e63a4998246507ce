package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.bench.ScaleReport.Row;
import dev.palisade.bench.ScaleReport.Verdict;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale benchmark at a small size, so that it cannot rot: every row gets a figure (whether
 * the targets are met at this size and on a shared CI machine is not the question). Needs root
 * and the shipped jar (controller/target/palisade.jar, built by the controller's package
 * phase).
 */
@Tag("kernel")
class ScaleBenchmarkTest {
  private static final int EVENTS = 20;

  @Test
  void everyRowGetsAFigure(@TempDir Path logs) throws Exception {
    Path jar = Path.of(System.getProperty("palisade.jar", "../controller/target/palisade.jar"));
    assertThat(jar).as("the shipped jar (mvn package -pl controller -am)").exists();
    ScaleBenchmark.Result result = ScaleBenchmark.run(new ScaleBenchmark.Settings(
        ClusterSize.of(10, 300, 30), SyntheticCluster.BENCHMARK_SEED, "node-000", EVENTS, jar,
        "0s", logs));
    System.out.println(result.text());
    List<Row> rows = result.report().rows();
    boolean fullResync = MeasuredAgent.supportsOption(jar, ScaleBenchmark.WRITE_STRATEGY_OPTION);

    assertThat(rows).extracting(Row::figure).hasSize(17).anySatisfy(figure ->
        assertThat(figure).startsWith("pod gets its IP")).anySatisfy(figure ->
        assertThat(figure).startsWith("policy delete")).anySatisfy(figure ->
        assertThat(figure).startsWith("burst"));
    assertThat(rows).allSatisfy(row -> {
      switch (row.verdict()) {
        case MET, MISSED, REPORTED -> assertThat(row.measured()).as(row.figure())
            .containsPattern("\\d");
        case NOT_APPLICABLE -> {
          if (row.figure().contains("informers synced")) {
            // the agent's log order, not the harness: the row says so and gives what it has
            assertThat(row.measured()).contains(ScaleBenchmark.LISTED_LATE)
                .containsPattern("\\d");
          } else {
            assertThat(fullResync).as("only an agent without the option skips " + row.figure())
                .isFalse();
            assertThat(row.measured()).isEqualTo("n/a (option missing)");
          }
        }
        case PENDING -> assertThat(row.measured()).startsWith("not wired: ")
            .contains("Measurement");
      }
    });
    assertThat(rows).filteredOn(row -> row.figure().contains("(agent: receipt"))
        .as("each phase's histogram holds exactly its events, each enforced by its own sync")
        .hasSize(6).allSatisfy(row -> assertThat(row.measured())
            .endsWith("(" + EVENTS + " events in " + EVENTS + " syncs)"));
    assertThat(rows).filteredOn(row -> row.verdict() == Verdict.PENDING).hasSize(3);
    assertThat(result.facts()).anySatisfy(fact -> assertThat(fact).startsWith(
        "load average (1, 5, 15 min) after:"));
  }
}
