package dev.palisade.dataplane.kernel;

import java.util.List;
import java.util.function.Consumer;

/**
 * The one door through which Palisade starts processes: argv plus standard input in, exit code
 * and captured output out. Implementations target the local machine, a network namespace, or a
 * fake kernel in unit tests; the writer never knows which.
 */
public interface CommandRunner {
  /**
   * Runs {@code argv} to completion, feeding it {@code stdin} (empty for none). A non-zero exit
   * code is a normal result, not an exception; only failing to start or wait for the process
   * throws.
   */
  CommandResult run(List<String> argv, String stdin);

  default CommandResult run(List<String> argv) {
    return run(argv, "");
  }

  /**
   * Runs {@code argv} to completion and hands its standard output to {@code lines} one line at a
   * time, for output too large to hold whole (a node's conntrack table). The result carries the
   * exit code and stderr; its stdout is empty. This default reads the output whole: fine for
   * fakes; runners that start processes stream it.
   */
  default CommandResult stream(List<String> argv, Consumer<String> lines) {
    CommandResult result = run(argv);
    result.stdout().lines().forEach(lines);
    return new CommandResult(result.exitCode(), "", result.stderr());
  }

  /**
   * Starts {@code argv} and leaves it running, its standard streams piped to the caller, for a
   * tool kept open across commands ({@link IpsetSession}). Runners that do not start processes
   * (fakes) refuse, and the caller runs its commands one process each instead.
   *
   * @throws UnsupportedOperationException when this runner cannot keep a process running
   * @throws java.io.UncheckedIOException when the process cannot be started
   */
  default Process start(List<String> argv) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " runs commands to completion only");
  }
}
