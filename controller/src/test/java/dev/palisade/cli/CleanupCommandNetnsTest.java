package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.lab.NetnsCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code palisade cleanup} on a node where a foreign rule jumps into a Palisade chain: it
 * removes all it can, names what it could not with the rule that holds it, and exits 1; once
 * the rule is gone, the next cleanup removes the rest and exits 0.
 */
@Tag("kernel")
class CleanupCommandNetnsTest {
  private NetnsCluster cluster;
  private String node;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void startNode() {
    cluster = NetnsCluster.start("paltest-cl", 1);
    node = cluster.nodeNamespace(1);
  }

  @AfterEach
  void removeNode() {
    cluster.close();
  }

  private String inNode(String... argv) {
    return cluster.inNamespace(node, argv);
  }

  private int cleanup() {
    picocli.CommandLine palisade = Main.commandLine();
    palisade.setOut(new PrintWriter(out, true));
    palisade.setErr(new PrintWriter(err, true));
    return palisade.execute("cleanup", "--netns", node);
  }

  @Test
  void cleanupRemovesAllItCanNamesTheHeldChainAndExitsOne() {
    inNode("ipset", "create", "pal-4s-web", "hash:ip", "comment");
    inNode("iptables", "-N", "PALISADE-FORWARD");
    inNode("iptables", "-N", "PALISADE-RI-x.web");
    inNode("iptables", "-A", "PALISADE-RI-x.web", "-m", "set", "--match-set", "pal-4s-web",
        "src", "-j", "RETURN");
    inNode("iptables", "-A", "PALISADE-FORWARD", "-j", "PALISADE-RI-x.web");
    inNode("iptables", "-I", "FORWARD", "1", "-j", "PALISADE-FORWARD");
    inNode("iptables", "-N", "ADMIN");
    inNode("iptables", "-A", "ADMIN", "-j", "PALISADE-RI-x.web");

    assertThat(cleanup()).isEqualTo(ExitCode.FAILED);
    assertThat(err.toString()).contains("PALISADE-RI-x.web")
        .contains("-A ADMIN -j PALISADE-RI-x.web");
    String save = inNode("iptables-save", "-t", "filter");
    assertThat(save).doesNotContain("PALISADE-FORWARD");
    assertThat(inNode("ipset", "list", "-n")).doesNotContain("pal-4s-web");

    inNode("iptables", "-F", "ADMIN");
    assertThat(cleanup()).isEqualTo(ExitCode.OK);
    assertThat(inNode("iptables-save", "-t", "filter")).doesNotContain("PALISADE-");
  }
}
