package dev.palisade.dataplane.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How often a probe tries, by how socat ended: a fake runner plays socat. */
class ProbesTest {
  private static final InetAddress TO = InetAddresses.forString("10.99.1.12");
  private static final CommandResult ECHOED = CommandResult.ok("palisade-probe\n");
  private static final CommandResult SILENT = CommandResult.ok("");
  private static final CommandResult TIMED_OUT = new CommandResult(1, "",
      "E connecting to AF=2 10.99.1.12:80: Connection timed out");
  private static final CommandResult REFUSED = new CommandResult(1, "",
      "E read(5, 0x55f41c8ea000, 8192): Connection refused");

  private final List<List<String>> commands = new ArrayList<>();
  private final Deque<CommandResult> results = new ArrayDeque<>();
  private final Probes probes = new Probes((argv, stdin) -> {
    commands.add(argv);
    return results.isEmpty() ? SILENT : results.poll();
  });

  @Test
  void aFailedTcpConnectIsDeniedAtOnce() {
    results.add(TIMED_OUT);

    assertThat(probes.reaches("pod", TO, Protocol.TCP, 80)).isFalse();
    assertThat(commands).as("no second try").hasSize(1);
  }

  @Test
  void aTcpConnectionWithoutAnEchoIsTriedThreeTimes() {
    assertThat(probes.reaches("pod", TO, Protocol.TCP, 80)).isFalse();
    assertThat(commands).hasSize(3);

    commands.clear();
    results.add(SILENT);
    results.add(ECHOED);
    assertThat(probes.reaches("pod", TO, Protocol.TCP, 80)).as("a slow echo").isTrue();
    assertThat(commands).hasSize(2);
  }

  @Test
  void aRefusedUdpDatagramIsTriedAgain() {
    results.add(REFUSED);
    results.add(ECHOED);

    assertThat(probes.reaches("pod", TO, Protocol.UDP, 81)).isTrue();
    assertThat(commands).hasSize(2);
  }
}
