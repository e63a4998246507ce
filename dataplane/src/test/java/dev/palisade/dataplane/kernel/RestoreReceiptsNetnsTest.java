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

  /** A spare started before someone else changed the table still applies to it as it is. */
  @Test
  void aSpareStartedBeforeAnotherWriterChangedTheTableAppliesToTheTableAsItIs()
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

  @Test
  void aFailingTransactionIsReportedAndOnlyTheTransactionsBeforeItStay() {
    try (RestoreReceipts receipts = receipts()) {

      CommandResult result = receipts.run(restore(), "*filter\n:PALISADE-RECEIPT - [0:0]\n"
          + "-A PALISADE-RECEIPT -s 10.9.0.3/32 -j RETURN\nCOMMIT\n"
          + "*filter\n-D PALISADE-RECEIPT -s 10.9.0.4/32 -j RETURN\nCOMMIT\n");

      assertThat(result.succeeded()).isFalse();
      assertThat(RestoreReceipts.failedLine(result.stderr())).isBetween(5, 6);
      assertThat(chain()).contains("10.9.0.3");
    }
  }
}
