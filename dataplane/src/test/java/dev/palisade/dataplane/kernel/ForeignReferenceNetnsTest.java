package dev.palisade.dataplane.kernel;

import static dev.palisade.dataplane.kernel.DesiredStates.rule;
import static dev.palisade.dataplane.state.IpSetType.HASH_IP;
import static dev.palisade.model.IpFamily.V4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A foreign rule that jumps into a Palisade chain (an admin's chain calling a policy chain)
 * makes the kernel refuse to delete that chain. That must not wedge the node: everything else
 * is applied, the chain is kept as a single RETURN, the result names the foreign rule, and the
 * chain goes once the rule is gone. Cleanup likewise removes all it can and names the rest.
 */
@Tag("kernel")
class ForeignReferenceNetnsTest {
  private static final String FOREIGN_RULE = "-A ADMIN-CHECKS -j PALISADE-RI-x.web";

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(1);

  /** PALISADE-FORWARD calls the policy chain, which matches pal-web. */
  private static final DesiredStates WITH_POLICY = DesiredStates.builder()
      .set("pal-web", HASH_IP, V4, "10.99.1.11")
      .chain(V4, "PALISADE-FORWARD", rule("-j PALISADE-RI-x.web"))
      .chain(V4, "PALISADE-RI-x.web", rule("-m set --match-set pal-web src -j RETURN"))
      .hook(V4, "FORWARD", 1, "PALISADE-FORWARD");

  /** The policy is gone, and an unrelated change comes with it. */
  private static final DesiredStates WITHOUT_POLICY = DesiredStates.builder()
      .set("pal-db", HASH_IP, V4, "10.99.1.12")
      .chain(V4, "PALISADE-FORWARD", rule("-m set --match-set pal-db dst -j RETURN"))
      .hook(V4, "FORWARD", 1, "PALISADE-FORWARD");

  private NetnsLab lab;
  private KernelWriter writer;

  private void startWithForeignJump() {
    lab = labs.lab();
    writer = KernelWriters.inLab(lab);
    assertThat(writer.apply(WITH_POLICY.build()).succeeded()).isTrue();
    lab.inNode("iptables", "-N", "ADMIN-CHECKS");
    lab.inNode("iptables", "-A", "ADMIN-CHECKS", "-j", "PALISADE-RI-x.web");
  }

  private String chainRules(String chain) {
    return lab.inNode("iptables", "-S", chain);
  }

  @Test
  void aSyncAppliesEverythingElseAndKeepsTheHeldChainAsASingleReturn() {
    startWithForeignJump();

    ApplyResult result = writer.apply(WITHOUT_POLICY.build());

    assertThat(result.succeeded()).as("apply: %s", result).isTrue();
    ApplyResult.Applied applied = (ApplyResult.Applied) result;
    assertThat(applied.leftovers()).singleElement().satisfies(left -> {
      assertThat(left.object()).isEqualTo("IPv4 chain PALISADE-RI-x.web");
      assertThat(left.heldBy()).contains(FOREIGN_RULE);
    });
    assertThat(chainRules("PALISADE-FORWARD")).contains("pal-db");
    assertThat(chainRules("PALISADE-RI-x.web").lines().filter(l -> l.startsWith("-A")))
        .singleElement().satisfies(line -> assertThat(line).endsWith("-j RETURN"));
    assertThat(lab.inNode("ipset", "list", "-n")).contains("pal-db").doesNotContain("pal-web");
    assertThat(writer.apply(WITHOUT_POLICY.build()).written())
        .as("a held chain is not rewritten on every sync").isEqualTo(WriteCounts.NOTHING);

    lab.inNode("iptables", "-F", "ADMIN-CHECKS");
    ApplyResult released = writer.apply(WITHOUT_POLICY.build());

    assertThat(((ApplyResult.Applied) released).leftovers()).isEmpty();
    assertThat(released.written().chainsDeleted()).isEqualTo(1);
    assertThat(lab.inNode("iptables-save", "-t", "filter")).doesNotContain("PALISADE-RI-x.web");
  }

  @Test
  void cleanupRemovesAllItCanAndNamesTheHeldChain() {
    startWithForeignJump();

    ApplyResult result = writer.cleanup();

    assertThat(result.succeeded()).as("cleanup: %s", result).isTrue();
    assertThat(((ApplyResult.Applied) result).leftovers()).singleElement()
        .satisfies(left -> assertThat(left.describe()).contains("PALISADE-RI-x.web")
            .contains(FOREIGN_RULE));
    String save = lab.inNode("iptables-save", "-t", "filter");
    assertThat(save).doesNotContain("PALISADE-FORWARD").contains(FOREIGN_RULE);
    assertThat(lab.inNode("ipset", "list", "-n")).doesNotContain("pal-web");
  }
}
