package dev.palisade.dataplane.kernel;

import java.io.IOException;
import java.io.InputStream;
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
  private final ExecutorService drains = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "command-output");
    thread.setDaemon(true);
    return thread;
  });

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
        return new CommandResult(TIMED_OUT, stdout.get(), stderr.get()
            + "\n" + argv.get(0) + " timed out after " + timeout);
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
