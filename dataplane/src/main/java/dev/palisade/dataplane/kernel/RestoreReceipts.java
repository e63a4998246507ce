package dev.palisade.dataplane.kernel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@code iptables-restore} payload and returns as soon as the kernel has taken its
 * transaction, not when the process exits. With nf_tables the two are far apart: a transaction
 * that deletes a rule or a chain is in force at its commit, but the kernel frees what it deleted
 * only after an RCU grace period, and the process's exit (the release of its netlink socket)
 * waits for that, 10–20 ms on a 2-core machine whatever the table's size. A local pod's event
 * deletes rules; the wait was most of its kernel time.
 *
 * <p>The receipt: the payload is followed by one line that is no command ({@value #RECEIPT}).
 * iptables-restore runs each COMMIT as it reads it, and stops at the first line it cannot run,
 * printing that line's number ({@code line N failed}, or {@code Error occurred at line: N}). If
 * the number is the receipt's line, everything before it was committed; any other first failure
 * is the payload's, and then the whole output and the exit code are the result, as without a
 * receipt. The process ends on its own; only the destruction of sets waits for it ({@link
 * #awaitExits}).
 *
 * <p>With nf_tables, restores go through one {@link RestoreSession} per command instead (a
 * long-lived iptables-restore whose receipt is an echoed comment): no process start, no read of
 * the whole table and no exit per restore. A running iptables-nft keeps its cache and reads
 * again only when the ruleset's generation moved; its commit is refused and retried if the
 * tables changed since. Legacy iptables takes the xtables lock per table block and may not
 * echo at once, so it keeps a process per restore.
 *
 * <p>Used only where {@link #probe} finds that the installed iptables-restore answers the
 * receipt as expected; elsewhere, and with runners that cannot start a process and leave it
 * (fakes), a restore runs to its exit.
 *
 * <p>Thread-safe: the sync thread runs restores, a shutdown hook may close.
 */
final class RestoreReceipts implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreReceipts.class);

  static final String RECEIPT = "palisade-receipt";
  /** The two ways iptables-restore (legacy and nf_tables, 1.4 to 1.8) names the failed line. */
  private static final Pattern FAILED_LINE =
      Pattern.compile("line (\\d+) failed|Error occurred at line: (\\d+)");

  private final CommandRunner runner;
  private final Duration timeout;
  private final boolean sessions;
  /** Each argv's session (nf_tables only). */
  private final Map<List<String>, RestoreSession> open = new HashMap<>();
  /** Restores that answered at their receipt and may not have exited yet. */
  private final List<Process> exiting = new ArrayList<>();
  private boolean closed;

  /** @param sessions whether restores go through a session per argv (nf_tables only) */
  RestoreReceipts(CommandRunner runner, Duration timeout, boolean sessions) {
    this.runner = runner;
    this.timeout = timeout;
    this.sessions = sessions;
  }

  /**
   * Receipts for {@code argv}'s restores, if that iptables-restore answers a payload of nothing
   * with the receipt (a line that is no command touches no table); with {@code sessions}, first
   * tries a session, which must echo its receipt.
   */
  static Optional<RestoreReceipts> probe(CommandRunner runner, List<String> argv,
      Duration timeout, boolean sessions) {
    if (sessions) {
      RestoreReceipts receipts = new RestoreReceipts(runner, timeout, true);
      CommandResult answer = receipts.run(argv, "");
      if (answer.succeeded() && !receipts.open.isEmpty()) {
        return Optional.of(receipts);
      }
      receipts.close();
      LOG.info("{} does not answer as a session ({}); a process per restore",
          String.join(" ", argv), answer.stderr().strip());
    }
    CommandResult answer = new RestoreReceipts(runner, timeout, false).run(argv, "");
    if (!answer.succeeded()) {
      LOG.info("{} does not answer a receipt line ({}); restores run to their exit",
          String.join(" ", argv), answer.stderr().strip());
      return Optional.empty();
    }
    return Optional.of(new RestoreReceipts(runner, timeout, false));
  }

  /**
   * Runs {@code payload} (iptables-restore's format) through {@code argv}: succeeds once its
   * last COMMIT is in force; on a failure, the process's exit code and standard error.
   */
  synchronized CommandResult run(List<String> argv, String payload) {
    return answer(send(argv, payload));
  }

  /**
   * Runs several restores at once, a process or session each (the families' tables are
   * independent, so their commits need not wait for one another), and answers each as {@link
   * #run} does, in their order.
   */
  synchronized List<CommandResult> runAll(List<Restore> restores) {
    List<Sent> sent = new ArrayList<>();
    restores.forEach(restore -> sent.add(send(restore.argv(), restore.payload())));
    List<CommandResult> answers = new ArrayList<>();
    sent.forEach(each -> answers.add(answer(each)));
    return answers;
  }

  /** One restore's command line and payload. */
  record Restore(List<String> argv, String payload) {}

  /** A restore whose payload is written: one that ran to its exit, or one awaiting its receipt. */
  private sealed interface Sent {}

  /** Ran to its exit (no receipt possible): its result. */
  private record Finished(CommandResult result) implements Sent {}

  /** Its process, the standard error being read, and the line number of its receipt. */
  private record AwaitingReceipt(List<String> argv, Process process, OutputLines errors,
      int receiptLine) implements Sent {}

  /** Written to its argv's session, awaiting the echo of its receipt. */
  private record InSession(List<String> argv, RestoreSession session,
      RestoreSession.Pending pending) implements Sent {}

  private Sent send(List<String> argv, String payload) {
    String body = payload.isEmpty() || payload.endsWith("\n") ? payload : payload + "\n";
    if (!body.isEmpty() && !body.endsWith("COMMIT\n")) {
      // The receipt would land inside an open table and vouch for nothing committed.
      return new Finished(runner.run(argv, payload));
    }
    if (sessions) {
      return sendToSession(argv, body, payload);
    }
    Process process;
    try {
      process = runner.start(argv);
    } catch (UnsupportedOperationException e) {
      return new Finished(runner.run(argv, payload));
    }
    OutputLines errors = OutputLines.read(process.getErrorStream(), "iptables-restore-stderr");
    int receiptLine = (int) body.chars().filter(c -> c == '\n').count() + 1;
    try (OutputStream in = process.getOutputStream()) {
      in.write((body + RECEIPT + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // It stopped reading: a failure early in the payload, which its stderr says.
    }
    return new AwaitingReceipt(argv, process, errors, receiptLine);
  }

  /** Waits for a sent restore's receipt, or its failure, or its exit, up to the timeout. */
  private CommandResult answer(Sent restore) {
    if (restore instanceof Finished finished) {
      return finished.result();
    }
    if (restore instanceof InSession inSession) {
      return answer(inSession);
    }
    AwaitingReceipt sent = (AwaitingReceipt) restore;
    Process process = sent.process();
    StringBuilder stderr = new StringBuilder();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (Optional<String> line = sent.errors().next(deadline); line != null;
          line = sent.errors().next(deadline)) {
        if (line.isEmpty()) {
          // No receipt: the process ended (or is ending) on its own; its exit says how.
          if (process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return new CommandResult(process.exitValue(), "", stderr.toString());
          }
          break;
        }
        if (failedLine(line.get()) == sent.receiptLine()) {
          exiting.removeIf(earlier -> !earlier.isAlive());
          exiting.add(process);
          return CommandResult.ok("");
        }
        stderr.append(line.get()).append('\n');
      }
      process.destroyForcibly();
      return new CommandResult(ProcessCommandRunner.TIMED_OUT, "", stderr
          + sent.argv().get(0) + " neither answered nor exited within " + timeout);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + sent.argv().get(0), e);
    }
  }

  /**
   * Waits until every restore that answered at its receipt has exited, which with nf_tables is
   * when the kernel has released what they deleted: until then a set a deleted rule matched is
   * still in use, and destroying it is refused. Sessions do not exit: see {@link
   * #releasesLater}.
   */
  synchronized void awaitExits() {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (Process process : exiting) {
        process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exiting.clear();
  }

  /**
   * Whether what a restore deleted may still hold a set after {@link #awaitExits}: with
   * sessions, the kernel releases it an RCU grace period after the commit (7 ms at the median,
   * 25 at most, in a node namespace on the 2-core test machine), on its own, with no exit to
   * wait for; a set's destruction is refused until then.
   */
  boolean releasesLater() {
    return sessions;
  }

  /** Ends the sessions; later restores start a process each. */
  @Override
  public synchronized void close() {
    closed = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    try {
      for (RestoreSession session : open.values()) {
        session.end(deadline);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    open.clear();
  }

  /**
   * Writes the payload to its argv's session, starting one if there is none (or the last one
   * is gone): once again with a new session if the old one turns out gone while writing.
   */
  private Sent sendToSession(List<String> argv, String body, String payload) {
    if (closed) {
      return new Finished(runner.run(argv, payload));
    }
    for (int attempt = 1; ; attempt++) {
      RestoreSession session = open.get(argv);
      if (session == null || !session.isAlive()) {
        try {
          session = RestoreSession.start(runner, argv);
        } catch (UnsupportedOperationException e) {
          return new Finished(runner.run(argv, payload));
        }
        open.put(argv, session);
      }
      try {
        return new InSession(argv, session, session.send(body));
      } catch (IOException e) {
        open.remove(argv);
        if (attempt == 2) {
          return new Finished(new CommandResult(1, "", "cannot write to a new "
              + argv.get(0) + " session: " + e.getMessage()));
        }
      }
    }
  }

  private CommandResult answer(InSession sent) {
    try {
      CommandResult result = sent.session().await(sent.pending(),
          System.nanoTime() + timeout.toNanos());
      if (!result.succeeded()) {
        open.remove(sent.argv(), sent.session());
      }
      return result;
    } catch (InterruptedException e) {
      open.remove(sent.argv(), sent.session());
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + sent.argv().get(0), e);
    }
  }

  /** The line number a line of iptables-restore's standard error names as failed, or -1. */
  static int failedLine(String line) {
    Matcher matcher = FAILED_LINE.matcher(line);
    if (!matcher.find()) {
      return -1;
    }
    return Integer.parseInt(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
  }
}
