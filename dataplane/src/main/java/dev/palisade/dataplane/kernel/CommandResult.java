package dev.palisade.dataplane.kernel;

/** What a finished command left behind. */
public record CommandResult(int exitCode, String stdout, String stderr) {
  public boolean succeeded() {
    return exitCode == 0;
  }

  public static CommandResult ok(String stdout) {
    return new CommandResult(0, stdout, "");
  }
}
