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
    return new CommandRunner() {
      @Override
      public CommandResult run(List<String> argv, String stdin) {
        return new CommandResult(99, "", "ran to completion");
      }

      @Override
      public Process start(List<String> argv) {
        assertThat(argv).isEqualTo(RESTORE);
        try {
          Process process = new ProcessBuilder("sh", "-c", script).start();
          started.add(process);
          return process;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

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

  /**
   * With spares, each restore takes the process started ahead for it: two restores start three
   * processes (the third waits for a restore to come), and closing ends the waiting one.
   */
  @Test
  void withSparesEachRestoreTakesTheProcessStartedAheadForIt() throws Exception {
    RestoreReceipts receipts = new RestoreReceipts(standIn(ANSWERS_THEN_LINGERS),
        Duration.ofSeconds(10), true);

    assertThat(receipts.run(RESTORE, PAYLOAD).succeeded()).isTrue();
    assertThat(receipts.run(RESTORE, PAYLOAD).succeeded()).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (started.size() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(100);
    receipts.close();

    assertThat(started).hasSize(3);
    assertThat(started.get(2).waitFor(5, TimeUnit.SECONDS)).as("the waiting spare ended")
        .isTrue();
  }

  @Test
  void theFailedLineIsReadFromBothOfIptablesRestoresFormats() {
    assertThat(RestoreReceipts.failedLine("iptables-restore: line 12 failed")).isEqualTo(12);
    assertThat(RestoreReceipts.failedLine("Error occurred at line: 7")).isEqualTo(7);
    assertThat(RestoreReceipts.failedLine("iptables-restore v1.8.9 (nf_tables): Chain 'X' does "
        + "not exist")).isEqualTo(-1);
  }
}
