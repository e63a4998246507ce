package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.DemoTestAccess;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioResult;
import dev.palisade.scenario.ScenarioRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code palisade cleanup --netns NODE}, run as a process of the shipped jar after the agents
 * stopped, removes every Palisade chain, jump and set of both families from a node and nothing
 * else: a rule and a set of someone else survive.
 */
@Tag("kernel")
class CleanupTest {
  private static final String FOREIGN_V4 = "192.0.2.1";
  private static final String FOREIGN_V6 = "2001:db8::1";
  private static final String FOREIGN_SET = "foreign";

  @Test
  void cleanupLeavesNoPalisadeObjectAndEveryForeignOne() throws Exception {
    try (DemoBackend cluster = E2eCluster.start("cleanup", E2eCluster.standardAgentOptions())) {
      ScenarioResult dualStack = new ScenarioRunner(cluster).run(new ScenarioParser()
          .parse(ScenarioFiles.named("dual-stack", "ip-blocks-both-families.yaml")));
      assertThat(dualStack.passed()).as("the dual-stack scenario before the cleanup").isTrue();
      DemoTestAccess.stopAgents(cluster);

      for (int node = 1; node <= DemoTestAccess.lab(cluster).nodeCount(); node++) {
        NodeKernel kernel = new NodeKernel(DemoTestAccess.lab(cluster), node);
        placeForeignObjects(kernel);
        assertThat(kernel.palisadeObjects()).as("%s before the cleanup", kernel.namespace())
            .anyMatch(object -> object.startsWith("iptables-save "))
            .anyMatch(object -> object.startsWith("ip6tables-save "))
            .anyMatch(object -> object.startsWith("ipset "));

        runCleanup(kernel.namespace());

        assertThat(kernel.palisadeObjects()).as("%s after the cleanup", kernel.namespace())
            .isEmpty();
        assertThat(kernel.run("iptables", "-S", "FORWARD")).as("IPv4 FORWARD")
            .contains("-A FORWARD -s " + FOREIGN_V4 + "/32 -m comment --comment foreign "
                + "-j ACCEPT");
        assertThat(kernel.run("ip6tables", "-S", "FORWARD")).as("IPv6 FORWARD")
            .contains("-A FORWARD -s " + FOREIGN_V6 + "/128 -m comment --comment foreign "
                + "-j ACCEPT");
        assertThat(kernel.setNames()).as("sets").containsExactly(FOREIGN_SET);
        assertThat(kernel.setMembers(FOREIGN_SET)).containsExactly(FOREIGN_V4);
      }
    }
  }

  private static void placeForeignObjects(NodeKernel kernel) {
    kernel.run("iptables", "-A", "FORWARD", "-s", FOREIGN_V4, "-j", "ACCEPT", "-m", "comment",
        "--comment", "foreign");
    kernel.run("ip6tables", "-A", "FORWARD", "-s", FOREIGN_V6, "-j", "ACCEPT", "-m", "comment",
        "--comment", "foreign");
    kernel.run("ipset", "create", FOREIGN_SET, "hash:ip");
    kernel.run("ipset", "add", FOREIGN_SET, FOREIGN_V4);
  }

  /** {@code java -jar palisade.jar cleanup --netns NS}, as an operator would run it. */
  private static void runCleanup(String namespace) throws IOException, InterruptedException {
    List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", E2eCluster.jar().toAbsolutePath().toString(), "cleanup", "--netns", namespace);
    Path output = Files.createTempFile("palisade-cleanup", ".log");
    try {
      Process cleanup = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      if (!cleanup.waitFor(60, TimeUnit.SECONDS)) {
        cleanup.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not end in 60 s");
      }
      assertThat(cleanup.exitValue()).as("%s\n%s", String.join(" ", command),
          Files.readString(output)).isZero();
    } finally {
      Files.delete(output);
    }
  }
}
