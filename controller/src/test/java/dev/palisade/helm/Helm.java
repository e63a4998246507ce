package dev.palisade.helm;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the helm binary against the chart in {@code helm/palisade}: the pinned one that
 * {@code .ci/install-helm} puts in {@code .tools/helm}, else the first {@code helm} on PATH.
 * Helm's own configuration, cache and data directories point into a scratch directory, so a
 * developer's repositories and plugins do not change what the tests see.
 */
final class Helm {

  static final String RELEASE = "palisade";
  static final String NAMESPACE = "palisade-system";
  private static final long TIMEOUT_SECONDS = 60;

  private final Path executable;
  private final Path repositoryRoot;
  private final Path scratch;

  private Helm(Path executable, Path repositoryRoot, Path scratch) {
    this.executable = executable;
    this.repositoryRoot = repositoryRoot;
    this.scratch = scratch;
  }

  /** Finds the repository and helm; fails (never skips) when helm is missing. */
  static Helm locate(Path scratch) {
    Path root = repositoryRoot(Path.of("").toAbsolutePath());
    Path pinned = root.resolve(".tools/helm");
    Path executable = Files.isExecutable(pinned) ? pinned : onPath("helm").orElseThrow(
        () -> new IllegalStateException("helm is neither at " + pinned + " nor on PATH: run .ci/install-helm"));
    return new Helm(executable, root, scratch);
  }

  Path chart() {
    return repositoryRoot.resolve("helm/palisade");
  }

  Path repositoryRoot() {
    return repositoryRoot;
  }

  /** {@code helm template} of the chart as release {@link #RELEASE} in {@link #NAMESPACE}. */
  Result template(String... valueArguments) {
    List<String> arguments = new ArrayList<>(List.of(
        "template", RELEASE, chart().toString(), "--namespace", NAMESPACE));
    arguments.addAll(Arrays.asList(valueArguments));
    return run(arguments);
  }

  Result lint(String... valueArguments) {
    List<String> arguments = new ArrayList<>(List.of("lint", "--strict", chart().toString()));
    arguments.addAll(Arrays.asList(valueArguments));
    return run(arguments);
  }

  private Result run(List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(arguments);
    try {
      Path stdout = Files.createTempFile(scratch, "helm", ".out");
      Path stderr = Files.createTempFile(scratch, "helm", ".err");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(stdout.toFile())
          .redirectError(stderr.toFile());
      builder.environment().put("HELM_CONFIG_HOME", scratch.resolve("config").toString());
      builder.environment().put("HELM_CACHE_HOME", scratch.resolve("cache").toString());
      builder.environment().put("HELM_DATA_HOME", scratch.resolve("data").toString());
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " ran longer than " + TIMEOUT_SECONDS + "s");
      }
      return new Result(command, process.exitValue(), Files.readString(stdout, UTF_8), Files.readString(stderr, UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    }
  }

  /** What one helm run printed and how it ended. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {

    /** The standard output of a run that must have succeeded. */
    String successfulOutput() {
      if (exitCode != 0) {
        throw new AssertionError(String.join(" ", command) + " exited with " + exitCode + ":\n" + stderr);
      }
      return stdout;
    }
  }

  private static Path repositoryRoot(Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("helm/palisade/Chart.yaml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no helm/palisade/Chart.yaml in " + start + " or any parent directory");
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
