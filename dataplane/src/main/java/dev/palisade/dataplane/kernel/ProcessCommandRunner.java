package dev.palisade.dataplane.kernel;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs commands as child processes of this JVM. Stdout and stderr are drained on threads of
 * their own (not the common pool, whose single thread on a small machine would let a full
 * stderr pipe block the child while stdout is read), so a large {@code iptables-save} cannot
 * stall; a command that outlives the timeout is killed (by its own process handle) and
 * reported as exit code 124, like {@code timeout(1)}. Safe for concurrent use.
 */
public final class ProcessCommandRunner implements CommandRunner {
  public static final int TIMED_OUT = 124;

  private final Duration timeout;
  private final ExecutorService drains = Executors.newCachedThreadPool(
      new ThreadFactoryBuilder().setNameFormat("command-output").setDaemon(true).build());

  public ProcessCommandRunner(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public CommandResult run(List<String> argv, String stdin) {
    Process process;
    try {
      process = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", argv), e);
    }
    CompletableFuture<String> stdout = drain(process.getInputStream());
    CompletableFuture<String> stderr = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The child may exit without reading its input (e.g. a usage error); its exit code and
      // stderr say why, so the broken pipe itself is not the interesting failure.
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor();
        return timedOut(argv, stdout.get(), stderr.get());
      }
      return new CommandResult(process.exitValue(), stdout.get(), stderr.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + argv.get(0), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the output of " + argv.get(0), e.getCause());
    }
  }

  /**
   * Streams stdout on the calling thread while stderr drains on its own; the timeout kills the
   * process, which ends the stream.
   */
  @Override
  public CommandResult stream(List<String> argv, Consumer<String> lines) {
    Process process;
    try {
      process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(
          new File("/dev/null"))).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", argv), e);
    }
    CompletableFuture<String> stderr = drain(process.getErrorStream());
    CompletableFuture<Boolean> timedOut = CompletableFuture.supplyAsync(() -> {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          return true;
        }
        return false;
      } catch (InterruptedException e) {
        process.destroyForcibly();
        return false;
      }
    }, drains);
    try (BufferedReader stdout = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      stdout.lines().forEach(lines);
    } catch (IOException e) {
      process.destroyForcibly();
      throw new UncheckedIOException("cannot read the output of " + argv.get(0), e);
    } catch (RuntimeException e) {
      // the consumer failed (or the read did): the rest of the output is not wanted
      process.destroyForcibly();
      throw e;
    }
    try {
      int exitCode = process.waitFor();
      return timedOut.get() ? timedOut(argv, "", stderr.get())
          : new CommandResult(exitCode, "", stderr.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + argv.get(0), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the output of " + argv.get(0), e.getCause());
    }
  }

  /** No timeout: the caller ends it. */
  @Override
  public Process start(List<String> argv) {
    try {
      return new ProcessBuilder(argv).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", argv), e);
    }
  }

  /** A command the timeout killed: what it printed, and stderr saying so. */
  private CommandResult timedOut(List<String> argv, String stdout, String stderr) {
    return new CommandResult(TIMED_OUT, stdout, stderr + "\n" + argv.get(0) + " timed out after "
        + timeout);
  }

  private CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, drains);
  }
}
