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
import org.junit.jupiter.api.Test;

/** Which established flows a policy change cuts. */
class ConntrackPurgerTest {
  /** x/a (node-1) accepts TCP 80 only from x/b; x/c is not allowed. */
  private static RuleGraph graph() {
    RuleGraph graph = new RuleGraph();
    graph.upsertPod(pod("a").in("x").labels("pod", "a").ip("10.0.1.10").node("node-1").build());
    graph.upsertPod(pod("b").in("x").labels("pod", "b").ip("10.0.2.11").node("node-2").build());
    graph.upsertPod(pod("c").in("x").labels("pod", "c").ip("10.0.2.12").node("node-2").build());
    graph.upsertPolicy(policy("a-from-b").in("x").select(selector("pod", "a"))
        .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80))).build());
    return graph;
  }

  private static final String LISTING = String.join("\n",
      "tcp      6 431999 ESTABLISHED src=10.0.2.11 dst=10.0.1.10 sport=40001 dport=80 "
          + "src=10.0.1.10 dst=10.0.2.11 sport=80 dport=40001 [ASSURED] mark=0 use=1",
      "tcp      6 431999 ESTABLISHED src=10.0.2.12 dst=10.0.1.10 sport=40002 dport=80 "
          + "src=10.0.1.10 dst=10.0.2.12 sport=80 dport=40002 [ASSURED] mark=0 use=1",
      "tcp      6 431999 ESTABLISHED src=169.254.1.1 dst=10.0.1.10 sport=40003 dport=8080 "
          + "src=10.0.1.10 dst=169.254.1.1 sport=8080 dport=40003 [ASSURED] mark=0 use=1",
      "udp      17 29 src=10.0.2.12 dst=10.0.2.11 sport=5353 dport=53 "
          + "src=10.0.2.11 dst=10.0.2.12 sport=53 dport=5353 mark=0 use=1",
      "icmp     1 29 src=10.0.2.12 dst=10.0.1.10 type=8 code=0 id=7 "
          + "src=10.0.1.10 dst=10.0.2.12 type=0 code=0 id=7 mark=0 use=1",
      "conntrack v1.4.7 (conntrack-tools): 5 flow entries have been shown.");

  @Test
  void cutsOnlyPodOpenedFlowsThatThePoliciesNowDenyOnThisNode() {
    List<List<String>> commands = new ArrayList<>();
    CommandRunner runner = (argv, stdin) -> {
      commands.add(argv);
      return argv.contains("-L") ? CommandResult.ok(LISTING) : CommandResult.ok("");
    };

    int purged = new ConntrackPurger(runner).purge(graph(), "node-1");

    assertThat(purged).isEqualTo(1);
    assertThat(commands).contains(List.of("conntrack", "-D", "-p", "tcp",
        "--orig-src", "10.0.2.12", "--orig-dst", "10.0.1.10", "--sport", "40002",
        "--dport", "80"));
    // b -> a is allowed; the node's own flow is not judged; c -> b involves no node-1 pod
    assertThat(commands).hasSize(2);
  }

  @Test
  void parsesTheOriginalDirectionOfTcpUdpAndSctpEntries() {
    assertThat(ConntrackPurger.parse(LISTING)).hasSize(4)
        .extracting(ConntrackPurger.Flow::destinationPort)
        .containsExactly(80, 80, 8080, 53);
  }
}
