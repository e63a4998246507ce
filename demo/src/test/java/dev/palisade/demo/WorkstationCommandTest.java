package dev.palisade.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.cli.CliRun;
import dev.palisade.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workstation's command line is the node's plus {@code demo}, and demo's bad options are
 * usage errors (exit 2) that name the option, found before anything runs.
 */
class WorkstationCommandTest {
  @TempDir
  Path folder;

  @Test
  void addsDemoToEveryCommandOfTheNodesJar() {
    assertThat(Main.commandLine().getSubcommands()).doesNotContainKey("demo");
    assertThat(WorkstationMain.commandLine().getSubcommands().keySet())
        .containsAll(Main.commandLine().getSubcommands().keySet())
        .contains("demo");
  }

  @Test
  void aWorkFolderThatIsAFileIsAUsageError() throws IOException {
    Path file = Files.writeString(folder.resolve("not-a-folder"), "");
    assertUsageError("--work-dir " + file + " is a file, not a folder",
        "demo", "--work-dir", file.toString());
  }

  @Test
  void aZeroEnforceTimeoutIsAUsageError() {
    assertUsageError("Invalid value for option '--enforce-timeout': '0s' must be longer than "
        + "zero", "demo", "--enforce-timeout", "0s");
  }

  private static void assertUsageError(String message, String... args) {
    CliRun run = CliRun.of(WorkstationMain.commandLine(), args);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).as(run.toString()).contains(message)
        .doesNotContain("internal error", "Exception");
  }
}
