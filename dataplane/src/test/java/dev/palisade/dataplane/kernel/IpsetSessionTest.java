package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session's fallbacks, without root: a runner that cannot start it, a tool that is mute. */
class IpsetSessionTest {
  private static final KernelTools TOOLS = new KernelTools(IptablesBackend.NFT, true);
  private static final String BATCH = "add pal-x 10.0.0.1\n";

  @Test
  void aRunnerThatCannotKeepAProcessRunningGetsEveryBatchAsARestore() {
    FakeKernel kernel = new FakeKernel();
    CountingRunner runner = new CountingRunner(kernel);

    try (IpsetSession session = new IpsetSession(runner, TOOLS, Duration.ofSeconds(1))) {
      session.run(BATCH);
      session.run(BATCH);
    }

    assertThat(runner.ran()).containsExactly(TOOLS.ipsetRestore(), TOOLS.ipsetRestore());
    assertThat(runner.started()).isEmpty();
  }

  /**
   * A process that reads the batches but never answers on stderr (an ipset whose interactive
   * mode differs): each try ends at the timeout, and after three the session is given up.
   */
  @Test
  void aToolThatNeverAnswersIsEndedAndGivenUpAfterThreeFaultsInARow() {
    MuteTool runner = new MuteTool();

    try (IpsetSession session = new IpsetSession(runner, TOOLS, Duration.ofMillis(200))) {
      for (int i = 0; i < 5; i++) {
        assertThat(session.run(BATCH).succeeded()).isTrue();
      }
    }

    assertThat(runner.starts).isEqualTo(IpsetSession.MAX_FAULTS_IN_A_ROW);
    assertThat(runner.restores).isEqualTo(5);
    assertThat(runner.processes).noneMatch(Process::isAlive);
  }

  /** Starts {@code cat} for the session (it echoes to stdout, never to stderr). */
  private static final class MuteTool implements CommandRunner {
    int starts;
    int restores;
    final List<Process> processes = new ArrayList<>();

    @Override
    public CommandResult run(List<String> argv, String stdin) {
      assertThat(argv).isEqualTo(TOOLS.ipsetRestore());
      assertThat(stdin).isEqualTo(BATCH);
      restores++;
      return CommandResult.ok("");
    }

    @Override
    public Process start(List<String> argv) {
      assertThat(argv).isEqualTo(TOOLS.ipsetInteractive());
      starts++;
      try {
        Process process = new ProcessBuilder("cat").start();
        processes.add(process);
        return process;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
