package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The side-by-side benchmark at a small size, so that it cannot rot: every figure gets a number
 * from both backends (whether they are good at this size on a shared machine is not the
 * question). Needs root and the shipped jar.
 */
@Tag("kernel")
class BackendComparisonTest {
  @Test
  void everyFigureGetsANumberFromBothBackends() throws Exception {
    Path jar = Path.of(System.getProperty("palisade.jar", "../controller/target/palisade.jar"));
    assertThat(jar).as("the shipped jar (mvn package -pl controller -am)").exists();

    BackendComparison.Result result = BackendComparison.run(new BackendComparison.Settings(
        ClusterSize.of(10, 300, 30), "node-000", 10, 1, jar));
    System.out.println(result.table());

    assertThat(result.rows().keySet()).contains("pod gets its IP → kernel written",
        "policy add → enforced", "new TCP connections per second, loaded ÷ no filter",
        "program run time per packet (kernel BPF statistics)");
    assertThat(result.rows()).allSatisfy((figure, measured) -> {
      assertThat(measured).as(figure).hasSize(2);
      if (!figure.startsWith("program run time")) {
        assertThat(measured).as(figure).allSatisfy(value -> assertThat(value)
            .containsPattern("\\d"));
      }
    });
    List<String> programCost =
        result.rows().get("program run time per packet (kernel BPF statistics)");
    assertThat(programCost.get(0)).isEqualTo("n/a (no program)");
    assertThat(programCost.get(1)).matches("\\d+ ns");
    assertThat(result.rows().get("cold start: node programmed after the informers' lists "
        + "(its first sync)")).allSatisfy(value -> assertThat(value)
        .doesNotContain("(0 ms; 0 local endpoints"));
  }
}
