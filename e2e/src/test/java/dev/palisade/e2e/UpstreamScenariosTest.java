package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The upstream Kubernetes NetworkPolicy e2e suite, ported to scenario files, run offline through
 * exactly what {@code palisade matrix --scenario FILE} runs. A failure shows the command's
 * output: the expected and observed truth tables and their diff.
 */
class UpstreamScenariosTest {
  private static final Path UPSTREAM = Path.of("scenarios", "upstream");
  /** network_policy.go has 48 tests that use the standard model; INDEX.md lists them all. */
  private static final int UPSTREAM_TESTS = 48;

  static List<Path> scenarioFiles() throws IOException {
    try (Stream<Path> files = Files.list(UPSTREAM)) {
      return files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void everyUpstreamTestHasAFile() throws IOException {
    assertThat(scenarioFiles()).hasSize(UPSTREAM_TESTS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioFiles")
  void passesOffline(Path file) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine palisade = Main.commandLine();
    palisade.setOut(new PrintWriter(out, true));
    palisade.setErr(new PrintWriter(err, true));

    int exitCode = palisade.execute("matrix", "--scenario", file.toString());

    assertThat(exitCode).as("palisade matrix --scenario %s\n%s%s", file, out, err).isZero();
    assertThat(out.toString()).containsPattern("(?m)^PASS \\d+ steps, \\d+ probes$");
  }
}
