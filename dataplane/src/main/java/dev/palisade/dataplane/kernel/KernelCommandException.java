package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * A kernel command that exited non-zero: which step, the exact argv and payload, and what the
 * command said. Carried into {@link ApplyResult.Failed} so nothing about a failure is lost.
 */
public final class KernelCommandException extends Exception {
  private final ApplyStep step;
  private final ImmutableList<String> argv;
  private final String payload;
  private final CommandResult result;

  public KernelCommandException(ApplyStep step, List<String> argv, String payload,
      CommandResult result) {
    super(step + ": " + String.join(" ", argv) + " exited " + result.exitCode() + ": "
        + result.stderr().strip());
    this.step = step;
    this.argv = ImmutableList.copyOf(argv);
    this.payload = payload;
    this.result = result;
  }

  public ApplyStep step() {
    return step;
  }

  public ImmutableList<String> argv() {
    return argv;
  }

  public String payload() {
    return payload;
  }

  public CommandResult result() {
    return result;
  }
}
