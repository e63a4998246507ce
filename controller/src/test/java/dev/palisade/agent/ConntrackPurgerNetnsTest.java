package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.NetnsCommandRunner;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import java.time.Duration;
import com.google.common.net.InetAddresses;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The purge against the real conntrack table of a throwaway network namespace: flows are
 * inserted with {@code conntrack -I} (no traffic needed), purged, and listed again. (With
 * conntrack-tools 1.4.7 here, {@code conntrack -L} without {@code -f} lists both families; the
 * purger names each family, as older versions list IPv4 only.) The graph is
 * {@link ConntrackPurgerTest#graph()}: x/a on node-1 accepts TCP 80 from x/b only.
 */
@Tag("kernel")
class ConntrackPurgerNetnsTest {
  private static final int DENIED_PORTS_PER_FAMILY = 50;

  private final ProcessCommandRunner machine = new ProcessCommandRunner(Duration.ofMinutes(2));
  private final String namespace = "paltest-ct-" + ProcessHandle.current().pid();
  private CommandRunner node;

  @BeforeEach
  void createNamespace() {
    must(machine.run(List.of("ip", "netns", "add", namespace)));
    node = new NetnsCommandRunner(machine, namespace);
  }

  @AfterEach
  void deleteNamespace() {
    machine.run(List.of("ip", "netns", "del", namespace));
  }

  @Test
  void purgesDeniedIpv4AndIpv6FlowsThroughOneConntrackRestoreAndKeepsTheAllowedOnes() {
    List<String> inserts = new ArrayList<>(List.of(
        insert("10.0.2.11", "10.0.1.10", 40001, 80),
        insert("fd00:2::11", "fd00:1::10", 40002, 80),
        insert("169.254.1.1", "10.0.1.10", 40003, 8080)));
    // c -> a is denied on every port: one deletion line per port and family
    IntStream.range(0, DENIED_PORTS_PER_FAMILY).forEach(i -> {
      inserts.add(insert("10.0.2.12", "10.0.1.10", 41000, 2000 + i));
      inserts.add(insert("fd00:2::12", "fd00:1::10", 41000, 2000 + i));
    });
    must(node.run(List.of("conntrack", "-R", "-"), String.join("\n", inserts) + "\n"));
    assertThat(flows()).hasSize(3 + 2 * DENIED_PORTS_PER_FAMILY);

    List<List<String>> purgeCommands = new ArrayList<>();
    CommandRunner counted = new CommandRunner() {
      @Override
      public CommandResult run(List<String> argv, String stdin) {
        purgeCommands.add(argv);
        return node.run(argv, stdin);
      }

      @Override
      public CommandResult stream(List<String> argv, Consumer<String> lines) {
        purgeCommands.add(argv);
        return node.stream(argv, lines);
      }
    };

    assertThat(new ConntrackPurger(counted).purge(ConntrackPurgerTest.graph(), "node-1"))
        .isEmpty();

    assertThat(purgeCommands).as("one listing per family, one batch of deletions").hasSize(3);

    assertThat(flows()).containsExactlyInAnyOrder(
        "10.0.2.11 -> 10.0.1.10:80", "fd00:2::11 -> fd00:1::10:80",
        "169.254.1.1 -> 10.0.1.10:8080");
  }

  private static String insert(String source, String destination, int sourcePort,
      int destinationPort) {
    return "-I -p tcp -s " + source + " -d " + destination + " --sport " + sourcePort
        + " --dport " + destinationPort + " --state ESTABLISHED -u ASSURED -t 600";
  }

  /** Both families' flows, as "source -> destination:port". */
  private List<String> flows() {
    return Stream.of("ipv4", "ipv6")
        .flatMap(family -> must(node.run(List.of("conntrack", "-L", "-f", family)))
            .stdout().lines())
        .map(ConntrackPurger::parse)
        .flatMap(Optional::stream)
        .map(flow -> InetAddresses.toAddrString(flow.source()) + " -> "
            + InetAddresses.toAddrString(flow.destination()) + ":"
            + flow.destinationPort())
        .collect(Collectors.toList());
  }

  private static CommandResult must(CommandResult result) {
    assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isZero();
    return result;
  }
}
