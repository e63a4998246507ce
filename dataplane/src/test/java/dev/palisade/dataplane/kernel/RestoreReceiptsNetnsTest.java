package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.kernel.RestoreReceipts.Restore;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.model.IpFamily;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Receipts against the real iptables-restore of a throwaway node namespace. */
@Tag("kernel")
class RestoreReceiptsNetnsTest {
  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(0);

  private List<String> restore() {
    return KernelWriters.tools(labs.lab().nodeRunner()).restore(IpFamily.V4);
  }

  private RestoreReceipts receipts() {
    return RestoreReceipts.probe(labs.lab().nodeRunner(), restore(), Duration.ofSeconds(10),
        true)
        .orElseThrow(() -> new AssertionError("the installed iptables-restore gives no receipt"));
  }

  private String chain() {
    return labs.lab().inNode("iptables", "-S", "PALISADE-RECEIPT");
  }

  @Test
  void committedDeletionsAreInForceAtTheReceipt() {
    try (RestoreReceipts receipts = receipts()) {
      assertThat(receipts.run(restore(), "*filter\n:PALISADE-RECEIPT - [0:0]\n"
          + "-A PALISADE-RECEIPT -s 10.9.0.1/32 -j RETURN\n"
          + "-A PALISADE-RECEIPT -s 10.9.0.2/32 -j RETURN\nCOMMIT\n").succeeded()).isTrue();

      CommandResult deleted = receipts.run(restore(),
          "*filter\n-D PALISADE-RECEIPT -s 10.9.0.1/32 -j RETURN\nCOMMIT\n");

      assertThat(deleted.succeeded()).as("result: %s", deleted).isTrue();
      assertThat(chain()).doesNotContain("10.9.0.1").contains("10.9.0.2");
    }
  }

  /**
   * The families' restores run at once, round after round: each commit changes the ruleset's
   * generation the other read its table at (iptables-nft then reads again and retries), and
   * both are in force at their receipts.
   */
  @Test
  void theFamiliesRestoresRunTogetherAreBothInForceAtTheirReceipts() {
    List<String> restoreV6 = KernelWriters.tools(labs.lab().nodeRunner()).restore(IpFamily.V6);
    String create = "*filter\n:PALISADE-RECEIPT - [0:0]\nCOMMIT\n";
    try (RestoreReceipts receipts = receipts()) {
      assertThat(receipts.runAll(List.of(new Restore(restore(), create),
          new Restore(restoreV6, create)))).allMatch(CommandResult::succeeded);
      for (int round = 1; round <= 20; round++) {
        List<CommandResult> results = receipts.runAll(List.of(
            new Restore(restore(), "*filter\n-F PALISADE-RECEIPT\n-A PALISADE-RECEIPT -s "
                + "10.9.0." + round + "/32 -j RETURN\nCOMMIT\n"),
            new Restore(restoreV6, "*filter\n-F PALISADE-RECEIPT\n-A PALISADE-RECEIPT -s "
                + "fd00:9::" + round + "/128 -j RETURN\nCOMMIT\n")));

        assertThat(results).as("round %d: %s", round, results)
            .allMatch(CommandResult::succeeded);
        assertThat(chain()).as("round %d", round).contains("10.9.0." + round + "/32")
            .doesNotContain("10.9.0." + (round - 1) + "/32");
        assertThat(labs.lab().inNode("ip6tables", "-S", "PALISADE-RECEIPT"))
            .as("round %d", round).contains("fd00:9::" + round + "/128")
            .doesNotContain("fd00:9::" + (round - 1) + "/128");
      }
    }
  }

  /**
   * A session that read the table before someone else changed it applies its next restore to
   * the table as it is (iptables-nft reads again when the ruleset's generation moved).
   */
  @Test
  void aSessionAppliesToTheTableAsItIsAfterAnotherWriterChangedIt()
      throws Exception {
    try (RestoreReceipts receipts = receipts()) {
      assertThat(receipts.run(restore(), "*filter\n:PALISADE-RECEIPT - [0:0]\nCOMMIT\n")
          .succeeded()).isTrue();
      Thread.sleep(200);
      labs.lab().inNode("iptables", "-A", "PALISADE-RECEIPT", "-s", "10.9.0.5/32", "-j",
          "RETURN");

      CommandResult deleted = receipts.run(restore(),
          "*filter\n-D PALISADE-RECEIPT -s 10.9.0.5/32 -j RETURN\n"
          + "-A PALISADE-RECEIPT -s 10.9.0.6/32 -j RETURN\nCOMMIT\n");

      assertThat(deleted.succeeded()).as("result: %s", deleted).isTrue();
      assertThat(chain()).doesNotContain("10.9.0.5").contains("10.9.0.6");
    }
  }

  /**
   * A rule a session deleted holds its set until the kernel releases it, a grace period after
   * the commit, with the session still running: the writer waits for that by trying again
   * ({@link KernelWriter#RELEASE_WAIT}), which this checks is enough.
   */
  @Test
  void whatASessionDeletedIsReleasedWithinTheWritersWaitWithoutItsExit() throws Exception {
    labs.lab().inNode("ipset", "create", "pal-4s-receipt", "hash:ip");
    try (RestoreReceipts receipts = receipts()) {
      for (int round = 1; round <= 5; round++) {
        assertThat(receipts.run(restore(), "*filter\n:PALISADE-RECEIPT - [0:0]\n"
            + "-A PALISADE-RECEIPT -m set --match-set pal-4s-receipt src -j RETURN\nCOMMIT\n")
            .succeeded()).isTrue();
        assertThat(receipts.run(restore(),
            "*filter\n-F PALISADE-RECEIPT\n-X PALISADE-RECEIPT\nCOMMIT\n").succeeded())
            .isTrue();
        long deadline = System.nanoTime() + KernelWriter.RELEASE_WAIT.toNanos();

        CommandResult destroyed = labs.lab().nodeRunner().run(
            List.of("ipset", "destroy", "pal-4s-receipt"));
        while (!destroyed.succeeded() && System.nanoTime() < deadline) {
          Thread.sleep(2);
          destroyed = labs.lab().nodeRunner().run(List.of("ipset", "destroy", "pal-4s-receipt"));
        }

        assertThat(destroyed.succeeded()).as("round %d: %s", round, destroyed).isTrue();
        labs.lab().inNode("ipset", "create", "pal-4s-receipt", "hash:ip");
      }
    } finally {
      labs.lab().inNode("ipset", "destroy", "pal-4s-receipt");
    }
  }

  @Test
  void aFailingTransactionIsReportedAndOnlyTheTransactionsBeforeItStay() {
    try (RestoreReceipts receipts = receipts()) {

      CommandResult result = receipts.run(restore(), "*filter\n:PALISADE-RECEIPT - [0:0]\n"
          + "-A PALISADE-RECEIPT -s 10.9.0.3/32 -j RETURN\nCOMMIT\n"
          + "*filter\n-D PALISADE-RECEIPT -s 10.9.0.4/32 -j RETURN\nCOMMIT\n");

      assertThat(result.succeeded()).isFalse();
      assertThat(result.stderr()).containsPattern("is its line [56]\\)");
      assertThat(chain()).contains("10.9.0.3");
    }
  }
}
