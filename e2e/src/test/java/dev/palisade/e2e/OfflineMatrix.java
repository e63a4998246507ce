package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Runs exactly what {@code palisade matrix --scenario FILE} runs. A failure shows the command's
 * output: the expected and observed truth tables and their diff.
 */
final class OfflineMatrix {
  private OfflineMatrix() {}

  static void assertPasses(Path file) {
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
