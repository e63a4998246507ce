package dev.palisade.e2e.realapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command as a user's shell runs it: with a folder of the test's first on PATH (where kubectl
 * looks for plugins), this JVM's java and the system's folders after it, and a kubeconfig; its
 * output in files of the test's work folder.
 */
final class UserCommand {
  private static final long TIMEOUT_SECONDS = 180;

  private UserCommand() {}

  /** What a command printed and how it ended. */
  record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  static Run run(Path work, Path pathFirst, Path kubeconfig, List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
    builder.environment().putAll(Map.of(
        "PATH", pathFirst + ":" + javaBin + ":/usr/local/bin:/usr/bin:/bin",
        "KUBECONFIG", kubeconfig.toString()));
    Path out = work.resolve("out-" + System.nanoTime());
    Path err = work.resolve("err-" + System.nanoTime());
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " did not end in " + TIMEOUT_SECONDS + " s");
      }
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }
}
