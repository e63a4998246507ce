package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.lab.Shell;
import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.DemoTestAccess;
import dev.palisade.model.Protocol;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioResult;
import dev.palisade.scenario.ScenarioRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code palisade cleanup --netns NODE}, run as a process of the shipped jar after the agents
 * stopped, removes every Palisade chain, jump and set of both families from a node and nothing
 * else: a rule and a set of someone else survive. With the eBPF backend (and {@code --bpffs}) it
 * also removes every pin of the installation (programs, maps, links: the program leaves the
 * pods' interfaces) and its conntrack rules, and leaves a foreign pin and another installation's
 * pins where they are.
 */
@Tag("kernel")
@Tag(E2eCluster.BOTH_BACKENDS)
class CleanupTest {
  private static final String FOREIGN_V4 = "192.0.2.1";
  private static final String FOREIGN_V6 = "2001:db8::1";
  private static final String FOREIGN_SET = "foreign";
  /** Pins of others in a node's bpffs directory: someone else's, another installation's. */
  private static final List<String> FOREIGN_PINS = List.of("foreign/map",
      "palisade/other/maps/endpoints");

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
        Optional<NodeBpf> bpf = E2eCluster.ebpf() ? Optional.of(new NodeBpf(cluster, node))
            : Optional.empty();
        if (bpf.isPresent()) {
          placeForeignPins(bpf.get());
          assertThat(bpf.get().pins()).as("%s: pins before the cleanup", kernel.namespace())
              .anyMatch(pin -> pin.toString().contains("/progs/"))
              .anyMatch(pin -> pin.toString().contains("/maps/"))
              .anyMatch(pin -> pin.toString().contains("/links/"));
          assertThat(bpf.get().conntrackRules()).as("%s: conntrack rules before the cleanup",
              kernel.namespace()).hasSize(2);
          assertThat(kernel.palisadeObjects()).as("%s: chains and sets of the eBPF agent",
              kernel.namespace()).isEmpty();
        } else {
          assertThat(kernel.palisadeObjects()).as("%s before the cleanup", kernel.namespace())
              .anyMatch(object -> object.startsWith("iptables-save "))
              .anyMatch(object -> object.startsWith("ip6tables-save "))
              .anyMatch(object -> object.startsWith("ipset "));
        }

        runCleanup(kernel.namespace(), bpf.map(NodeBpf::bpffs));

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
        if (bpf.isPresent()) {
          Path bpffs = bpf.get().bpffs();
          assertThat(bpf.get().root()).as("the installation's pin root").doesNotExist();
          assertThat(NodeBpf.pinsUnder(bpffs)).as("%s: pins after the cleanup", bpffs)
              .containsExactlyElementsOf(FOREIGN_PINS.stream().map(bpffs::resolve).toList());
          assertThat(bpf.get().conntrackRules()).as("%s: conntrack rules after the cleanup",
              kernel.namespace()).isEmpty();
        }
      }
      if (E2eCluster.ebpf()) {
        // x/a's ingress admitted nothing from node 2's IPv4 block: nothing judges it any more
        assertThat(DemoTestAccess.lab(cluster).reaches("x/b",
            InetAddresses.forString("10.244.1.10"), Protocol.TCP, 80))
            .as("x/b reaches x/a once the programs are gone").isTrue();
      }
    }
  }

  /** A pinned map of someone else, and one of another installation ({@code --instance}). */
  private static void placeForeignPins(NodeBpf bpf) throws IOException {
    for (String pin : FOREIGN_PINS) {
      Path path = bpf.bpffs().resolve(pin);
      Files.createDirectories(path.getParent());
      new Shell().run("bpftool", "map", "create", path.toString(), "type", "hash", "key", "4",
          "value", "4", "entries", "1", "name", "foreign");
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

  /**
   * {@code java -jar palisade.jar cleanup --netns NS [--bpffs DIR]}, as an operator would run
   * it.
   */
  private static void runCleanup(String namespace, Optional<Path> bpffs)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-jar", E2eCluster.jar().toAbsolutePath().toString(), "cleanup", "--netns", namespace));
    bpffs.ifPresent(directory -> command.addAll(List.of("--bpffs", directory.toString())));
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
