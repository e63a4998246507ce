package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One {@code iptables-restore --noflush --verbose} kept running across restores (nf_tables
 * only; see {@link RestoreReceipts}). iptables-restore commits each table block at its COMMIT
 * line as it reads it, and with {@code --verbose} echoes every comment line to standard output
 * as it reaches it; so a payload followed by a comment of its own ({@value #RECEIPT} and a
 * number) is committed once that comment comes back. The first line that fails ends the process
 * with {@code line N failed} on standard error, N counted from the session's start.
 *
 * <p>What a session saves against a process per restore: the process start, the read of the
 * whole table that a new iptables-nft makes at its first command (a running one keeps its cache
 * and reads again only when the ruleset's generation moved), and the exit, which after a
 * deletion waits for an RCU grace period while holding the namespace's nf_tables commit lock.
 *
 * <p>Not thread-safe: owned by {@link RestoreReceipts}.
 */
final class RestoreSession {
  static final String RECEIPT = "# palisade-receipt ";

  private final List<String> argv;
  private final Process process;
  private final OutputStream input;
  private final OutputLines echoes;
  private final OutputLines errors;
  private long receiptsSent;
  private long linesSent;

  private RestoreSession(List<String> argv, Process process) {
    this.argv = argv;
    this.process = process;
    this.input = process.getOutputStream();
    this.echoes = OutputLines.read(process.getInputStream(), "iptables-restore-session-stdout");
    this.errors = OutputLines.read(process.getErrorStream(), "iptables-restore-session-stderr");
  }

  /** A payload written to the session: its receipt's number and the line it began at. */
  record Pending(long receipt, long firstLine) {}

  /**
   * Starts {@code restore} (iptables-restore's argv, {@code --noflush} included) with {@code
   * --verbose}.
   *
   * @throws UnsupportedOperationException when the runner cannot keep a process running
   * @throws java.io.UncheckedIOException when the process cannot be started
   */
  static RestoreSession start(CommandRunner runner, List<String> restore) {
    List<String> argv = ImmutableList.<String>builder().addAll(restore).add("--verbose")
        .build();
    return new RestoreSession(argv, runner.start(argv));
  }

  /**
   * Writes {@code body} (whole table blocks, each ending with COMMIT, or nothing) and its
   * receipt.
   *
   * @throws IOException when the process no longer reads (it has exited)
   */
  Pending send(String body) throws IOException {
    Pending pending = new Pending(++receiptsSent, linesSent + 1);
    linesSent += body.chars().filter(c -> c == '\n').count() + 1;
    input.write((body + RECEIPT + pending.receipt() + "\n").getBytes(StandardCharsets.UTF_8));
    input.flush();
    return pending;
  }

  /**
   * Waits for {@code pending}'s receipt: success once it came back; else the process ended
   * (a line failed), and its exit code and standard error are the result; else, at {@code
   * deadlineNanos}, the process is killed and the result says so.
   */
  CommandResult await(Pending pending, long deadlineNanos) throws InterruptedException {
    String receipt = RECEIPT + pending.receipt();
    for (Optional<String> line = echoes.next(deadlineNanos); line != null;
        line = echoes.next(deadlineNanos)) {
      if (line.isEmpty()) {
        return exited(pending, deadlineNanos);
      }
      if (line.get().equals(receipt)) {
        return CommandResult.ok("");
      }
      // the receipt of a payload answered before, or other output of --verbose
    }
    process.destroyForcibly();
    return new CommandResult(ProcessCommandRunner.TIMED_OUT, "", argv.get(0)
        + " (a session) did not answer within the timeout");
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Ends the session: end of input, which it exits on, then a kill at the deadline. */
  void end(long deadlineNanos) throws InterruptedException {
    try {
      input.close();
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(Math.max(0, deadlineNanos - System.nanoTime()),
        TimeUnit.NANOSECONDS)) {
      process.destroyForcibly();
    }
  }

  private CommandResult exited(Pending pending, long deadlineNanos)
      throws InterruptedException {
    StringBuilder stderr = new StringBuilder();
    for (Optional<String> line = errors.next(deadlineNanos); line != null && line.isPresent();
        line = errors.next(deadlineNanos)) {
      stderr.append(line.get()).append('\n');
    }
    if (!process.waitFor(Math.max(0, deadlineNanos - System.nanoTime()),
        TimeUnit.NANOSECONDS)) {
      process.destroyForcibly();
      return new CommandResult(ProcessCommandRunner.TIMED_OUT, "", stderr
          + argv.get(0) + " (a session) stopped answering but did not exit");
    }
    int failed = RestoreReceipts.failedLine(stderr.toString());
    return new CommandResult(process.exitValue(), "", stderr + "(a session of "
        + String.join(" ", argv) + ": its line numbers count from its start; this payload "
        + "began at line " + pending.firstLine() + (failed < pending.firstLine() ? ""
            : ", so line " + failed + " is its line " + (failed - pending.firstLine() + 1))
        + ")\n");
  }
}
