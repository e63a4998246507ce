package dev.palisade.dataplane.kernel;

import java.util.List;

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
}
