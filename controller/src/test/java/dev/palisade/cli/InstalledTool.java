package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A program that a test needs from the machine (chromium, Graphviz's dot): found on the PATH or
 * the test fails, saying which Debian package to install (.ci/setup installs them all).
 */
final class InstalledTool {
  private InstalledTool() {}

  static Path require(String program, String debianPackage) {
    Optional<Path> found = Arrays.stream(System.getenv().getOrDefault("PATH", "")
            .split(File.pathSeparator))
        .filter(folder -> !folder.isEmpty())
        .map(folder -> Path.of(folder, program))
        .filter(Files::isExecutable)
        .findFirst();
    assertThat(found).as("%s is not on the PATH: install Debian's %s (apt-get install %s; "
        + ".ci/setup does)", program, debianPackage, debianPackage).isPresent();
    return found.get();
  }

  /**
   * Runs {@code command} in a fresh folder (removed afterwards) with {@code input} on its
   * standard input, and returns its standard output; fails the test when it times out or exits
   * with another status than 0. The folder is the program's working directory and its
   * {@code work} argument, e.g. for a browser profile.
   */
  static String run(List<String> command, String input, Duration timeout)
      throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("palisade-tool");
    try {
      List<String> resolved = new ArrayList<>();
      command.forEach(argument -> resolved.add(argument.replace("{work}", work.toString())));
      Path in = Files.writeString(work.resolve("stdin"), input, StandardCharsets.UTF_8);
      Path out = work.resolve("stdout");
      Path err = work.resolve("stderr");
      Process process = new ProcessBuilder(resolved).directory(work.toFile())
          .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
          .start();
      try {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(exited).as("%s did not finish within %s", resolved, timeout).isTrue();
      } finally {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      assertThat(process.exitValue()).as("%s failed:%n%s", resolved,
          Files.readString(err, StandardCharsets.UTF_8)).isZero();
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      MoreFiles.deleteRecursively(work, RecursiveDeleteOption.ALLOW_INSECURE);
    }
  }
}
