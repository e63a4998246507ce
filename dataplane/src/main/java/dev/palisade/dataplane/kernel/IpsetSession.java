package dev.palisade.dataplane.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's ipset batches through one long-lived {@code ipset -exist -} (ipset's interactive
 * mode: it reads commands from standard input and runs each at once) instead of one {@code ipset
 * restore} process per batch. At 10,000 pods a pod event changes a few set members, and starting
 * {@code nsenter} and {@code ipset} from the agent's JVM for them cost 2.5–3 ms, more than the
 * kernel write itself.
 *
 * <p>Interactive mode prints to standard error only what fails, and buffers its prompts on
 * standard output (drained and dropped), so a batch ends with a command that fails on purpose:
 * a {@code test} of a set whose name is unique to the batch and too long for ipset (it can never
 * exist). Its error line quotes that name and is the batch's receipt; every line on standard
 * error before it is an error of the batch.
 *
 * <p>{@code ipset restore} stops at the first failing line; the session runs the rest of the
 * batch. Either way the batch failed, and the writer reads the kernel back and plans again
 * ({@link KernelWriter}), so the kernel ends up the same.
 *
 * <p>A fault of the session itself (ipset cannot start, exits, or does not answer within the
 * timeout) is logged, the process is ended and that batch runs again as {@code ipset restore}:
 * the writer's batches only create, flush, add and delete, which {@code -exist} makes safe to
 * repeat. The next batch starts a new session; after {@value #MAX_FAULTS_IN_A_ROW} faults in a
 * row, every later batch is a process of its own.
 *
 * <p>Thread-safe: the sync thread runs batches, a shutdown hook may close.
 */
public final class IpsetSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IpsetSession.class);

  static final int MAX_FAULTS_IN_A_ROW = 3;
  /** 22 characters and a 12-digit count: longer than ipset's 31 for any count. */
  private static final String END_OF_BATCH = "palisade-end-of-batch-%012d";
  /** How long a new session has to answer an empty batch before it is deemed unusable. */
  private static final Duration FIRST_ANSWER = Duration.ofSeconds(5);

  private final CommandRunner runner;
  private final List<String> restore;
  private final List<String> interactive;
  private final Duration answerTimeout;
  private Process process;
  private Writer commands;
  private OutputLines errors;
  private long batches;
  private int faultsInARow;
  private boolean closed;

  /**
   * @param runner where ipset runs (its namespace); runs {@code ipset restore} when there is no
   *     session
   * @param answerTimeout the longest a batch may take before the session is deemed stuck
   */
  public IpsetSession(CommandRunner runner, KernelTools tools, Duration answerTimeout) {
    this.runner = runner;
    this.restore = tools.ipsetRestore();
    this.interactive = tools.ipsetInteractive();
    this.answerTimeout = answerTimeout;
  }

  /**
   * Runs a batch of ipset commands (the format {@code ipset restore} reads, one per line).
   * Succeeds when every command did; else exit code 1 and the failures on stderr.
   */
  public synchronized CommandResult run(String batch) {
    if (!closed && faultsInARow < MAX_FAULTS_IN_A_ROW) {
      try {
        if (process == null) {
          open();
        }
        CommandResult result = inSession(batch, answerTimeout);
        faultsInARow = 0;
        return result;
      } catch (SessionFault fault) {
        faultsInARow++;
        end();
        LOG.warn("ipset session: {}; the batch runs as ipset restore{}", fault.getMessage(),
            faultsInARow < MAX_FAULTS_IN_A_ROW ? "" : ", and so will every later one ("
                + faultsInARow + " faults in a row)");
      }
    }
    return runner.run(restore, batch);
  }

  /** Ends the session's process; later batches run as {@code ipset restore}. */
  @Override
  public synchronized void close() {
    closed = true;
    end();
  }

  private void open() throws SessionFault {
    try {
      process = runner.start(interactive);
    } catch (UnsupportedOperationException | UncheckedIOException e) {
      throw new SessionFault("cannot start " + String.join(" ", interactive) + " ("
          + e.getMessage() + ")");
    }
    commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    errors = OutputLines.read(process.getErrorStream(), "ipset-session-stderr");
    InputStream prompts = process.getInputStream();
    daemon("ipset-session-stdout", () -> {
      try (prompts) {
        prompts.transferTo(OutputStream.nullOutputStream());
      } catch (IOException e) {
        // the process is gone: its stderr reader reports that
      }
    });
    CommandResult first = inSession("",
        answerTimeout.compareTo(FIRST_ANSWER) < 0 ? answerTimeout : FIRST_ANSWER);
    if (!first.succeeded()) {
      throw new SessionFault("an empty batch failed: " + first.stderr().strip());
    }
    LOG.info("ipset session started (pid {}): set updates go through it", process.pid());
  }

  private CommandResult inSession(String batch, Duration timeout) throws SessionFault {
    String end = String.format(END_OF_BATCH, ++batches);
    try {
      commands.write(batch);
      if (!batch.isEmpty() && !batch.endsWith("\n")) {
        commands.write('\n');
      }
      commands.write("test " + end + " 0.0.0.0\n");
      commands.flush();
    } catch (IOException e) {
      throw new SessionFault("cannot write to ipset (" + e.getMessage() + ")");
    }
    StringBuilder failures = new StringBuilder();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<String> line;
      try {
        line = errors.next(deadline);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SessionFault("interrupted while waiting for ipset");
      }
      if (line == null) {
        throw new SessionFault("no answer within " + timeout.toMillis() + " ms");
      }
      if (line.isEmpty()) {
        throw new SessionFault("ipset exited" + (failures.isEmpty() ? ""
            : ", after printing: " + failures.toString().strip()));
      }
      if (line.get().contains("'" + end + "'")) {
        return failures.isEmpty() ? CommandResult.ok("")
            : new CommandResult(1, "", failures.toString());
      }
      failures.append(line.get()).append('\n');
    }
  }

  /** Ends the process, if any: end of input first, which ipset exits on, then a kill. */
  private void end() {
    if (process == null) {
      return;
    }
    try {
      commands.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(1, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** The session, not a batch, failed. */
  private static final class SessionFault extends Exception {
    SessionFault(String message) {
      super(message);
    }
  }
}
