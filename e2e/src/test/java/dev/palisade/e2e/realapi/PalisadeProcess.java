package dev.palisade.e2e.realapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code palisade} subcommand run from the shipped jar as its own JVM, as a pod would run it,
 * with its output in a log file the test can read. Stopped by its pid (SIGTERM, then SIGKILL).
 */
public final class PalisadeProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private PalisadeProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code java -Xmx256m -jar palisade.jar ARGS} with these environment variables. */
  public static PalisadeProcess start(Path log, Map<String, String> environment,
      List<String> arguments) {
    return start(log, environment, List.of("-Xmx256m"), arguments);
  }

  /** Starts {@code java JVM-OPTIONS -jar palisade.jar ARGS}. */
  public static PalisadeProcess start(Path log, Map<String, String> environment,
      List<String> jvmOptions, List<String> arguments) {
    String jar = System.getProperty("palisade.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("the shipped jar (system property palisade.jar = " + jar
          + ") is missing: build it with mvn package");
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      return new PalisadeProcess(process, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything it printed so far. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
