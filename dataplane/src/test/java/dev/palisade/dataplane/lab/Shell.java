package dev.palisade.dataplane.lab;

import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import java.time.Duration;
import java.util.List;

/** Runs lab setup commands that must succeed; a failure names the command and its stderr. */
final class Shell {
  private final CommandRunner runner = new ProcessCommandRunner(Duration.ofSeconds(20));

  CommandRunner runner() {
    return runner;
  }

  String run(String... argv) {
    CommandResult result = runner.run(List.of(argv));
    if (!result.succeeded()) {
      throw new IllegalStateException(String.join(" ", argv) + " exited " + result.exitCode()
          + ": " + result.stderr().strip());
    }
    return result.stdout();
  }

  /** For cleanup paths, which must go on after a failure. */
  CommandResult tryRun(String... argv) {
    return runner.run(List.of(argv));
  }
}
