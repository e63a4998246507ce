package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ipset session against the real ipset of a throwaway node namespace: batches go through
 * one process, failures are reported per batch, and a dead or closed session costs no batch.
 */
@Tag("kernel")
class IpsetSessionNetnsTest {
  private static final String CREATE = "create pal-session hash:ip family inet\n";
  private static final List<String> RESTORE = List.of("ipset", "restore", "-exist");

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(0);

  private CountingRunner runner;

  private IpsetSession session() {
    runner = new CountingRunner(labs.lab().nodeRunner());
    return new IpsetSession(runner, new KernelTools(IptablesBackend.NFT, true),
        Duration.ofSeconds(10));
  }

  private List<String> members() {
    String list = labs.lab().inNode("ipset", "list", "pal-session");
    return list.substring(list.indexOf("Members:") + "Members:".length()).lines()
        .filter(line -> !line.isBlank()).sorted().toList();
  }

  @Test
  void batchesGoThroughOneIpsetProcessStartedOnce() {
    try (IpsetSession session = session()) {
      assertThat(session.run(CREATE + "add pal-session 10.9.0.1\n").succeeded()).isTrue();
      assertThat(session.run("add pal-session 10.9.0.2\ndel pal-session 10.9.0.1\n")
          .succeeded()).isTrue();
      // -exist: a batch repeated after a fault is no error
      assertThat(session.run(CREATE + "add pal-session 10.9.0.2\n").succeeded()).isTrue();

      assertThat(members()).containsExactly("10.9.0.2");
      assertThat(runner.started()).hasSize(1);
      assertThat(runner.ran()).isEmpty();
    }
  }

  @Test
  void aFailingCommandFailsItsBatchWithIpsetsMessageAndTheSessionGoesOn() {
    try (IpsetSession session = session()) {
      CommandResult failed = session.run(CREATE + "add pal-missing 10.9.0.1\n"
          + "add pal-session 10.9.0.3\n");
      CommandResult next = session.run("add pal-session 10.9.0.4\n");

      assertThat(failed.succeeded()).isFalse();
      assertThat(failed.stderr()).contains("does not exist").doesNotContain("end-of-batch");
      assertThat(next).isEqualTo(CommandResult.ok(""));
      assertThat(members()).containsExactly("10.9.0.3", "10.9.0.4");
      assertThat(runner.started()).hasSize(1);
    }
  }

  @Test
  void aBatchSentToADeadSessionRunsAsARestoreAndTheNextStartsANewSession() throws Exception {
    try (IpsetSession session = session()) {
      session.run(CREATE);
      Process first = runner.started().get(0);
      first.destroyForcibly().waitFor();

      CommandResult afterDeath = session.run("add pal-session 10.9.0.5\n");
      CommandResult later = session.run("add pal-session 10.9.0.6\n");

      assertThat(afterDeath.succeeded()).isTrue();
      assertThat(later.succeeded()).isTrue();
      assertThat(runner.ran()).containsExactly(RESTORE);
      assertThat(runner.started()).hasSize(2);
      assertThat(members()).containsExactly("10.9.0.5", "10.9.0.6");
    }
  }

  @Test
  void closeEndsTheProcessAndLaterBatchesRunAsRestores() {
    IpsetSession session = session();
    session.run(CREATE);
    Process process = runner.started().get(0);

    session.close();
    CommandResult afterClose = session.run("add pal-session 10.9.0.7\n");

    assertThat(process.isAlive()).isFalse();
    assertThat(afterClose.succeeded()).isTrue();
    assertThat(runner.started()).hasSize(1);
    assertThat(runner.ran()).containsExactly(RESTORE);
    assertThat(members()).containsExactly("10.9.0.7");
  }
}
