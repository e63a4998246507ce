package dev.palisade.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.NetnsCommandRunner;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The netlink listener against the kernel of a throwaway network namespace whose OUTPUT chain
 * logs TCP to port 8080 to NFLOG group 7: a connection attempt on its loopback arrives with the
 * rule's prefix and the packet, a second listener of the group is refused, and close ends a
 * waiting follow.
 */
@Tag("kernel")
class NflogFollowerNetnsTest {
  private static final int GROUP = 7;
  private static final String PREFIX = "palisade deny ingress x/a";

  private final ProcessCommandRunner machine = new ProcessCommandRunner(Duration.ofMinutes(1));
  private final String namespace = "paltest-nflog-" + ProcessHandle.current().pid();
  private CommandRunner inside;

  @BeforeEach
  void createNamespace() {
    must(machine.run(List.of("ip", "netns", "add", namespace)));
    inside = new NetnsCommandRunner(machine, namespace);
    must(inside.run(List.of("ip", "link", "set", "lo", "up")));
    must(inside.run(List.of("iptables", "-A", "OUTPUT", "-p", "tcp", "--dport", "8080", "-j",
        "NFLOG", "--nflog-group", String.valueOf(GROUP), "--nflog-prefix", PREFIX)));
  }

  @AfterEach
  void deleteNamespace() {
    machine.run(List.of("ip", "netns", "del", namespace));
  }

  @Test
  void aLoggedPacketArrivesWithItsPrefixAndHeaders() throws Exception {
    List<NflogRecord> seen = new ArrayList<>();
    try (NflogFollower follower = NflogFollower.start(Optional.of(namespace), GROUP)) {
      CompletableFuture<Void> following = CompletableFuture.runAsync(() -> follow(follower,
          record -> {
            seen.add(record);
            return false;
          }));
      // nothing listens on 8080: the SYN is logged, then refused
      inside.run(List.of("bash", "-c", "echo > /dev/tcp/127.0.0.1/8080"));
      following.get(10, TimeUnit.SECONDS);
    }
    assertThat(seen).singleElement().satisfies(record -> {
      assertThat(record.group()).isEqualTo(GROUP);
      assertThat(record.prefix()).isEqualTo(PREFIX);
      assertThat(PacketHeader.parse(record.payload()).map(PacketHeader::describeTraffic))
          .contains("TCP/8080");
    });
  }

  @Test
  void aSecondListenerOfTheGroupIsRefusedByName() throws Exception {
    try (NflogFollower first = NflogFollower.start(Optional.of(namespace), GROUP)) {
      assertThatThrownBy(() -> NflogFollower.start(Optional.of(namespace), GROUP))
          .isInstanceOf(IOException.class).hasMessageContaining("another listener");
    }
  }

  @Test
  void closeEndsAWaitingFollow() throws Exception {
    NflogFollower follower = NflogFollower.start(Optional.of(namespace), GROUP);
    CompletableFuture<Void> following = CompletableFuture.runAsync(() -> follow(follower,
        record -> true));

    follower.close();

    following.get(NflogFollower.POLL_SECONDS + 5, TimeUnit.SECONDS);
    assertThat(following).isDone();
  }

  private static void follow(NflogFollower follower,
      Predicate<NflogRecord> shown) {
    try {
      follower.follow(shown);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void must(CommandResult result) {
    assertThat(result.succeeded()).as(result.stderr()).isTrue();
  }
}
