package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a restore ends with a receipt, without root: stand-ins for iptables-restore are shell
 * scripts that read the payload and answer as iptables-restore does.
 */
class RestoreReceiptsTest {
  private static final List<String> RESTORE = List.of("iptables-restore", "--noflush");
  private static final String PAYLOAD = "*filter\n-D PALISADE-X 1\nCOMMIT\n";

  private final List<Process> started = new CopyOnWriteArrayList<>();

  @AfterEach
  void endStandIns() {
    started.forEach(Process::destroyForcibly);
  }

  /** A runner whose every started process is {@code sh -c script}. */
  private CommandRunner standIn(String script) {
    return standIn(script, script);
  }

  /**
   * A runner whose started processes are {@code sh -c} one of two scripts: {@code session}'s
   * for iptables-restore with {@code --verbose} (a session), {@code oneShot}'s without.
   */
  private CommandRunner standIn(String oneShot, String session) {
    return new CommandRunner() {
      @Override
      public CommandResult run(List<String> argv, String stdin) {
        return new CommandResult(99, "", "ran to completion");
      }

      @Override
      public Process start(List<String> argv) {
        boolean verbose = argv.equals(SESSION);
        assertThat(verbose || argv.equals(RESTORE)).as("argv %s", argv).isTrue();
        try {
          Process process = new ProcessBuilder("sh", "-c", verbose ? session : oneShot)
              .start();
          started.add(process);
          return process;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  private static final List<String> SESSION =
      List.of("iptables-restore", "--noflush", "--verbose");

  /**
   * As iptables-restore --verbose: echoes comment lines as it reaches them; a line holding
   * FAIL fails, named by its number counted from the start, and ends the process.
   */
  private static final String ECHOES = "n=0; while IFS= read -r line; do n=$((n+1)); "
      + "case \"$line\" in '#'*) echo \"$line\";; *FAIL*) "
      + "echo \"iptables-restore: line $n failed\" >&2; exit 1;; esac; done";

  /** The payload's lines read, the receipt named as the failed line, then a long exit. */
  private static final String ANSWERS_THEN_LINGERS = "n=$(wc -l); "
      + "echo \"iptables-restore: line $n failed\" >&2; exec sleep 30";

  @Test
  void aRestoreSucceedsAtTheReceiptOfItsLastLineWithoutWaitingForTheExit() {
    RestoreReceipts receipts = new RestoreReceipts(standIn(ANSWERS_THEN_LINGERS),
        Duration.ofSeconds(10), false);

    CommandResult result = receipts.run(RESTORE, PAYLOAD);

    assertThat(result.succeeded()).as("result: %s", result).isTrue();
    assertThat(started).singleElement().matches(Process::isAlive, "still running");
  }

  /**
   * Restores run together are all started before any is answered: each stand-in answers only
   * once both have read their payload, so one after the other, the first would time out.
   */
  @Test
  void restoresRunTogetherOverlapAndAreAnsweredInTheirOrder() throws IOException {
    Path arrived = Files.createTempDirectory("receipts");
    try {
      RestoreReceipts receipts = new RestoreReceipts(standIn("n=$(wc -l); touch " + arrived
          + "/$$; while [ $(ls " + arrived + " | wc -l) -lt 2 ]; do sleep 0.01; done; "
          + "if [ $n -gt 4 ]; then echo 'iptables-restore: line 2 failed' >&2; exit 2; fi; "
          + "echo \"iptables-restore: line $n failed\" >&2; exec sleep 30"),
          Duration.ofSeconds(5), false);

      List<CommandResult> results = receipts.runAll(List.of(
          new RestoreReceipts.Restore(RESTORE, PAYLOAD),
          new RestoreReceipts.Restore(RESTORE, "*filter\n-D PALISADE-X 1\n-X PALISADE-Y\n"
              + "COMMIT\n")));

      assertThat(results).extracting(CommandResult::exitCode).containsExactly(0, 2);
      assertThat(results.get(1).stderr()).isEqualTo("iptables-restore: line 2 failed\n");
    } finally {
      MoreFiles.deleteRecursively(arrived, RecursiveDeleteOption.ALLOW_INSECURE);
    }
  }

  @Test
  void aFailureBeforeTheReceiptIsTheResultWithItsExitCodeAndOutput() {
    RestoreReceipts receipts = new RestoreReceipts(standIn("cat >/dev/null; "
        + "echo 'iptables-restore: line 2 failed' >&2; exit 1"), Duration.ofSeconds(10),
        false);

    CommandResult result = receipts.run(RESTORE, PAYLOAD);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderr()).isEqualTo("iptables-restore: line 2 failed\n");
  }

  @Test
  void aParseErrorBeforeTheReceiptIsTheResult() {
    RestoreReceipts receipts = new RestoreReceipts(standIn("cat >/dev/null; "
        + "echo 'iptables-restore v1.8.9 (nf_tables): unknown option' >&2; "
        + "echo 'Error occurred at line: 2' >&2; exit 2"), Duration.ofSeconds(10),
        false);

    CommandResult result = receipts.run(RESTORE, PAYLOAD);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("unknown option", "Error occurred at line: 2");
  }

  @Test
  void aToolThatNeitherAnswersNorExitsIsEndedAtTheTimeout() throws Exception {
    RestoreReceipts receipts = new RestoreReceipts(standIn("exec sleep 30"),
        Duration.ofMillis(300), false);

    CommandResult result = receipts.run(RESTORE, PAYLOAD);

    assertThat(result.exitCode()).isEqualTo(ProcessCommandRunner.TIMED_OUT);
    assertThat(result.stderr()).contains("neither answered nor exited within");
    assertThat(started.get(0).waitFor(5, TimeUnit.SECONDS)).isTrue();
  }

  /** A receipt inside an open table would vouch for a transaction never committed. */
  @Test
  void aPayloadThatDoesNotEndWithCommitRunsToItsExit() {
    RestoreReceipts receipts = new RestoreReceipts(standIn(ANSWERS_THEN_LINGERS),
        Duration.ofSeconds(10), false);

    CommandResult result = receipts.run(RESTORE, "*filter\n-A PALISADE-X -j RETURN\n");

    assertThat(result.stderr()).isEqualTo("ran to completion");
    assertThat(started).isEmpty();
  }

  @Test
  void theProbeFindsReceiptsOnlyWhereTheToolAnswersThem() {
    assertThat(RestoreReceipts.probe(standIn(ANSWERS_THEN_LINGERS), RESTORE,
        Duration.ofSeconds(10), false)).isPresent();
    assertThat(RestoreReceipts.probe(standIn("cat >/dev/null; echo 'unexpected' >&2; exit 1"),
        RESTORE, Duration.ofSeconds(10), false)).isEmpty();
  }

  @Test
  void aSessionAnswersEachRestoreAtItsEchoedReceiptAndStaysForTheNext() {
    RestoreReceipts receipts = new RestoreReceipts(standIn(ECHOES), Duration.ofSeconds(10),
        true);

    for (int i = 0; i < 3; i++) {
      CommandResult result = receipts.run(RESTORE, "*filter\n-A PALISADE-X -j RETURN\nCOMMIT\n");
      assertThat(result.succeeded()).as("restore %d: %s", i, result).isTrue();
    }

    assertThat(started).singleElement().matches(Process::isAlive, "still running");
    receipts.close();
  }

  @Test
  void aFailingLineEndsTheSessionWithItsLineInThePayloadAndTheNextRestoreStartsAnother() {
    RestoreReceipts receipts = new RestoreReceipts(standIn(ECHOES), Duration.ofSeconds(10),
        true);
    assertThat(receipts.run(RESTORE, PAYLOAD).succeeded()).isTrue();

    CommandResult failed = receipts.run(RESTORE, "*filter\n-A FAIL\nCOMMIT\n");

    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.stderr()).contains("iptables-restore: line 6 failed",
        "this payload began at line 5, so line 6 is its line 2");
    assertThat(receipts.run(RESTORE, PAYLOAD).succeeded()).isTrue();
    assertThat(started).hasSize(2);
    receipts.close();
  }

  /**
   * The families' restores go to a session each, at once; waiting for exits waits for no
   * session (they do not exit: what their commits deleted is released later, which the caller
   * is told).
   */
  @Test
  void eachFamilyHasItsSessionAndNeitherIsEndedByWaitingForExits() {
    List<String> restoreV6 = List.of("ip6tables-restore", "--noflush");
    List<String> sessionV6 = List.of("ip6tables-restore", "--noflush", "--verbose");
    CommandRunner runner = new CommandRunner() {
      @Override
      public CommandResult run(List<String> argv, String stdin) {
        return new CommandResult(99, "", "ran to completion");
      }

      @Override
      public Process start(List<String> argv) {
        assertThat(argv).isIn(SESSION, sessionV6);
        try {
          Process process = new ProcessBuilder("sh", "-c", ECHOES).start();
          started.add(process);
          return process;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
    RestoreReceipts receipts = new RestoreReceipts(runner, Duration.ofSeconds(10), true);
    for (int round = 0; round < 3; round++) {
      assertThat(receipts.runAll(List.of(new RestoreReceipts.Restore(RESTORE, PAYLOAD),
          new RestoreReceipts.Restore(restoreV6, PAYLOAD)))).allMatch(CommandResult::succeeded);
      receipts.awaitExits();
    }

    assertThat(started).hasSize(2).allMatch(Process::isAlive, "running");
    assertThat(receipts.releasesLater()).isTrue();
    receipts.close();
  }

  @Test
  void aSessionThatDoesNotAnswerIsEndedAtTheTimeout() throws Exception {
    RestoreReceipts receipts = new RestoreReceipts(standIn("exec sleep 30"),
        Duration.ofMillis(300), true);

    CommandResult result = receipts.run(RESTORE, PAYLOAD);

    assertThat(result.exitCode()).isEqualTo(ProcessCommandRunner.TIMED_OUT);
    assertThat(started.get(0).waitFor(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void theProbeTakesASessionWhereOneAnswersElseAProcessPerRestore() {
    RestoreReceipts sessions = RestoreReceipts.probe(standIn(ANSWERS_THEN_LINGERS, ECHOES),
        RESTORE, Duration.ofSeconds(10), true).orElseThrow();
    assertThat(sessions.run(RESTORE, PAYLOAD).succeeded()).isTrue();
    assertThat(started).singleElement().matches(Process::isAlive, "the probe's session");
    sessions.close();
    started.clear();

    RestoreReceipts oneShots = RestoreReceipts.probe(
        standIn(ANSWERS_THEN_LINGERS, "cat >/dev/null"), RESTORE, Duration.ofSeconds(2), true)
        .orElseThrow();
    assertThat(oneShots.run(RESTORE, PAYLOAD).succeeded()).isTrue();
    assertThat(started).hasSize(3);
  }

  @Test
  void theFailedLineIsReadFromBothOfIptablesRestoresFormats() {
    assertThat(RestoreReceipts.failedLine("iptables-restore: line 12 failed")).isEqualTo(12);
    assertThat(RestoreReceipts.failedLine("Error occurred at line: 7")).isEqualTo(7);
    assertThat(RestoreReceipts.failedLine("iptables-restore v1.8.9 (nf_tables): Chain 'X' does "
        + "not exist")).isEqualTo(-1);
  }
}
