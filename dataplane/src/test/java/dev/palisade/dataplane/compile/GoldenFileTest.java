package dev.palisade.dataplane.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.render.RestorePayload;
import dev.palisade.dataplane.state.DesiredState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compiles each scenario for node-1 and compares the rendered payloads with
 * {@code src/test/resources/golden/<scenario>.txt} exactly; a mismatch lists the changed lines.
 * Run with {@code -Dpalisade.updateGoldens=true} to rewrite the files after an intended change,
 * then review them in the diff.
 */
class GoldenFileTest {
  private static final Path GOLDEN_DIR = Path.of("src", "test", "resources", "golden");
  private static final boolean UPDATE = Boolean.getBoolean("palisade.updateGoldens");

  @TempDir
  Path actualDir;

  static List<GoldenScenarios.Scenario> scenarios() {
    return GoldenScenarios.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void compiledPayloadsMatchTheGoldenFile(GoldenScenarios.Scenario scenario) throws IOException {
    String actual = render(scenario);
    Path golden = GOLDEN_DIR.resolve(scenario.name() + ".txt");
    if (UPDATE) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    Path actualFile = actualDir.resolve(scenario.name() + ".txt");
    Files.writeString(actualFile, actual, StandardCharsets.UTF_8);
    assertThat(golden).as("golden file %s (regenerate with -Dpalisade.updateGoldens=true)",
        golden).exists();
    assertThat(actualFile).as("payloads of scenario %s against %s", scenario, golden)
        .usingCharset(StandardCharsets.UTF_8).hasSameTextualContentAs(golden);
  }

  @Test
  void everyGoldenFileBelongsToAScenario() throws IOException {
    List<String> names = GoldenScenarios.all().stream().map(s -> s.name() + ".txt").toList();
    try (Stream<Path> files = Files.list(GOLDEN_DIR)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .as("golden files without a scenario").isSubsetOf(names);
    }
  }

  static String render(GoldenScenarios.Scenario scenario) {
    DesiredState state = NodeCompiler.compile(scenario.cluster().graph(), TestCluster.NODE,
        scenario.settings());
    return Stream.of(state.v4(), state.v6()).map(RestorePayload::of)
        .map(RestorePayload::describe).collect(Collectors.joining());
  }
}
