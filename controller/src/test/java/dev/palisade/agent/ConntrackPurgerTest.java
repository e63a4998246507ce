package dev.palisade.agent;

import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.model.RuleGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which established flows a policy change cuts, and how the purge talks to conntrack. */
class ConntrackPurgerTest {
  /** x/a (node-1) accepts TCP 80 only from x/b; x/c is not allowed. Dual-stack pods. */
  static RuleGraph graph() {
    RuleGraph graph = new RuleGraph();
    graph.upsertPod(pod("a").in("x").labels("pod", "a").ip("10.0.1.10", "fd00:1::10")
        .node("node-1").build());
    graph.upsertPod(pod("b").in("x").labels("pod", "b").ip("10.0.2.11", "fd00:2::11")
        .node("node-2").build());
    graph.upsertPod(pod("c").in("x").labels("pod", "c").ip("10.0.2.12", "fd00:2::12")
        .node("node-2").build());
    graph.upsertPolicy(policy("a-from-b").in("x").select(selector("pod", "a"))
        .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80))).build());
    return graph;
  }

  static final String IPV4_LISTING = String.join("\n",
      "tcp      6 431999 ESTABLISHED src=10.0.2.11 dst=10.0.1.10 sport=40001 dport=80 "
          + "src=10.0.1.10 dst=10.0.2.11 sport=80 dport=40001 [ASSURED] mark=0 use=1",
      "tcp      6 431999 ESTABLISHED src=10.0.2.12 dst=10.0.1.10 sport=40002 dport=80 "
          + "src=10.0.1.10 dst=10.0.2.12 sport=80 dport=40002 [ASSURED] mark=0 use=1",
      "tcp      6 431999 ESTABLISHED src=10.0.2.12 dst=10.0.1.10 sport=40003 dport=80 "
          + "src=10.0.1.10 dst=10.0.2.12 sport=80 dport=40003 [ASSURED] mark=0 use=1",
      "tcp      6 431999 ESTABLISHED src=169.254.1.1 dst=10.0.1.10 sport=40004 dport=8080 "
          + "src=10.0.1.10 dst=169.254.1.1 sport=8080 dport=40004 [ASSURED] mark=0 use=1",
      "udp      17 29 src=10.0.2.12 dst=10.0.2.11 sport=5353 dport=53 "
          + "src=10.0.2.11 dst=10.0.2.12 sport=53 dport=5353 mark=0 use=1",
      "icmp     1 29 src=10.0.2.12 dst=10.0.1.10 type=8 code=0 id=7 "
          + "src=10.0.1.10 dst=10.0.2.12 type=0 code=0 id=7 mark=0 use=1");

  static final String IPV6_LISTING = String.join("\n",
      "tcp      6 431999 ESTABLISHED src=fd00:2::11 dst=fd00:1::10 sport=40011 dport=80 "
          + "src=fd00:1::10 dst=fd00:2::11 sport=80 dport=40011 [ASSURED] mark=0 use=1",
      "tcp      6 431999 ESTABLISHED src=fd00:2::12 dst=fd00:1::10 sport=40012 dport=80 "
          + "src=fd00:1::10 dst=fd00:2::12 sport=80 dport=40012 [ASSURED] mark=0 use=1");

  private final List<List<String>> commands = new ArrayList<>();
  private final List<String> deletionInputs = new ArrayList<>();

  private CommandRunner conntrack(String ipv4Listing, String ipv6Listing) {
    return (argv, stdin) -> {
      commands.add(argv);
      if (argv.contains("-R")) {
        deletionInputs.add(stdin);
        return CommandResult.ok("");
      }
      return CommandResult.ok(argv.contains("ipv6") ? ipv6Listing : ipv4Listing);
    };
  }

  @Test
  void cutsPodOpenedFlowsOfBothFamiliesThatThePoliciesNowDenyInOneBatch() {
    var purged = new ConntrackPurger(conntrack(IPV4_LISTING, IPV6_LISTING))
        .purge(graph(), "node-1");

    assertThat(purged).isEmpty();
    assertThat(commands).containsExactly(
        List.of("conntrack", "-L", "-f", "ipv4"),
        List.of("conntrack", "-L", "-f", "ipv6"),
        List.of("conntrack", "-R", "-"));
    // b -> a is allowed; c -> a's two flows are one deletion; the node's own flow is not
    // judged; c -> b involves no node-1 pod
    assertThat(deletionInputs).containsExactly(
        "-D -p tcp --orig-src 10.0.2.12 --orig-dst 10.0.1.10 --dport 80\n"
            + "-D -p tcp --orig-src fd00:2::12 --orig-dst fd00:1::10 --dport 80\n");
  }

  @Test
  void deletionsGoToConntrackInBatchesNotOneProcessPerFlow() {
    int flows = 2 * ConntrackPurger.DELETIONS_PER_BATCH + 1;
    String listing = IntStream.range(0, flows).mapToObj(i -> String.format(
        "tcp      6 431999 ESTABLISHED src=10.0.2.12 dst=10.0.1.10 sport=40000 dport=%d "
            + "src=10.0.1.10 dst=10.0.2.12 sport=%d dport=40000 mark=0 use=1", 1000 + i,
        1000 + i)).collect(Collectors.joining("\n"));

    assertThat(new ConntrackPurger(conntrack(listing, "")).purge(graph(), "node-1")).isEmpty();

    assertThat(deletionInputs).hasSize(3);
    assertThat(deletionInputs.stream().mapToLong(input -> input.lines().count()).sum())
        .isEqualTo(flows);
  }

  @Test
  void aFailedListingOrDeletionIsReported() {
    CommandRunner failing = (argv, stdin) -> argv.contains("ipv6")
        ? new CommandResult(1, "", "Operation not permitted") : CommandResult.ok(IPV4_LISTING);

    assertThat(new ConntrackPurger(failing).purge(graph(), "node-1")).hasValueSatisfying(why ->
        assertThat(why).contains("conntrack -L -f ipv6 exited 1: Operation not permitted"));
  }

  @Test
  void parsesTheOriginalDirectionOfTcpUdpAndSctpEntries() {
    assertThat(IPV4_LISTING.lines().map(ConntrackPurger::parse).flatMap(java.util.Optional::stream))
        .extracting(ConntrackPurger.Flow::destinationPort)
        .containsExactly(80, 80, 80, 8080, 53);
  }
}
