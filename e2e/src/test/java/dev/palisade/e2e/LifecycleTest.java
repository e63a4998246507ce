package dev.palisade.e2e;

import static dev.palisade.e2e.GuardedService.A;
import static dev.palisade.e2e.GuardedService.A_TO_B;
import static dev.palisade.e2e.GuardedService.B;
import static dev.palisade.e2e.GuardedService.C_TO_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.DemoTestAccess;
import dev.palisade.demo.EmbeddedApiServer;
import dev.palisade.e2e.ProbeLoop.Flow;
import dev.palisade.e2e.ProbeLoop.Tally;
import dev.palisade.model.Protocol;
import dev.palisade.scenario.ClusterState;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioRunner;
import dev.palisade.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lifecycle suite on one real cluster: the lifecycle scenario files (pod churn, namespace
 * relabel, policy update and delete) conform and agree with the evaluator, and enforcement
 * survives agent restarts, an API server outage and damage to a node's rules. The disruption
 * tests play {@code guarded-service.yaml}: x/a (node 1) may reach x/b (node 2) on TCP 80, x/c
 * (node 1) may not, until step 3 swaps them.
 */
@Tag("kernel")
@Tag(E2eCluster.BOTH_BACKENDS)
class LifecycleTest {
  /**
   * Short enough that the drift test need not wait the default minute, long enough that the
   * periodic sync seldom lands between its damage and the probe that shows the damage.
   */
  private static final Duration DRIFT_CHECK_INTERVAL = Duration.ofSeconds(30);
  private static EmbeddedApiServer apiServer;
  private static DemoBackend cluster;

  @BeforeAll
  static void startCluster() {
    apiServer = EmbeddedApiServer.start();
    // Between drift checks the agents write against what they remember, as in production.
    List<String> options = new ArrayList<>(E2eCluster.standardAgentOptions());
    options.add("--drift-check-interval=" + DRIFT_CHECK_INTERVAL.toSeconds() + "s");
    cluster = E2eCluster.start("lifecycle", options, apiServer, E2eCluster.EMBEDDED_LAB_PREFIX);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static List<Path> scenarioFiles() {
    return ScenarioFiles.in("lifecycle");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioFiles")
  void scenarioMatchesTheExpectationsAndTheEvaluator(Path file) {
    DataplaneAgreement.assertConformsAndAgrees(file, new ScenarioRunner(cluster));
  }

  /**
   * Both agents restart, one after the other, while new connections are probed without pause
   * and an established one keeps talking: the kernel keeps enforcing while an agent is away,
   * and a starting agent adopts what it finds: it never flushes the rules (their counters go
   * on); with eBPF it loads no program and attaches no link anew (the pinned objects keep their
   * ids, the counters map its counts).
   */
  @Test
  void agentRestartsNeitherOpenNorCloseAFlow() {
    ClusterState guarded = ScenarioRunner.stateAfter(
        new ScenarioParser().parse(GuardedService.FILE), 1);
    cluster.converge(guarded);
    List<NodeDataplane> nodes = NodeDataplane.of(cluster);
    List<Map<String, Long>> countersBefore;
    List<Map<String, Integer>> idsBefore = new ArrayList<>();
    List<List<String>> objectsBefore = new ArrayList<>();

    ProbeLoop loop = ProbeLoop.start(DemoTestAccess.lab(cluster), List.of(A_TO_B, C_TO_B));
    Map<Flow, Tally> seen;
    try (LongConnection established = LongConnection.open(DemoTestAccess.lab(cluster), A_TO_B.fromPod(), B,
        80)) {
      try {
        loop.awaitMoreProbes(3);
        assertThat(established.awaitEchoes(3, Duration.ofSeconds(5))).isTrue();
        countersBefore = nodes.stream().map(NodeDataplane::packetCounters).toList();
        for (NodeDataplane node : nodes) {
          if (node instanceof NodeBpf bpf) {
            idsBefore.add(bpf.objectIds());
            objectsBefore.add(bpf.palisadeObjects());
          }
        }
        for (int node = 1; node <= 2; node++) {
          DemoTestAccess.restartAgent(cluster, node);
          cluster.converge(guarded);
          loop.awaitMoreProbes(3);
        }
      } finally {
        seen = loop.stop();
      }
      assertThat(established.awaitEchoes(3, Duration.ofSeconds(5)))
          .as("echoes on the established x/a -> x/b after the restarts").isTrue();
      assertThat(established.longestGap()).as("longest pause of the established x/a -> x/b")
          .isLessThan(Duration.ofSeconds(2));
    }

    seen.forEach((flow, tally) -> {
      assertThat(tally.probes()).as("probes of %s", flow).isGreaterThanOrEqualTo(9);
      assertThat(tally.wrong()).as("probes of %s that had the wrong outcome", flow).isEmpty();
    });
    for (int n = 0; n < nodes.size(); n++) {
      assertCountersKept(nodes.get(n), countersBefore.get(n));
      if (nodes.get(n) instanceof NodeBpf bpf) {
        assertThat(bpf.objectIds()).as("%s: ids of the pinned programs, maps and links after "
            + "the restart (adopted, not loaded or attached anew)", bpf.namespace())
            .isEqualTo(idsBefore.get(n));
        assertThat(bpf.palisadeObjects()).as("%s: pins, links and map entries after the "
            + "restart", bpf.namespace()).isEqualTo(objectsBefore.get(n));
      }
    }
  }

  private static void assertCountersKept(NodeDataplane node, Map<String, Long> before) {
    // the eBPF program counts only where it looks up a verdict: on a node that isolates a pod
    if (!(node instanceof NodeBpf bpf) || bpf.isolatesSomePod()) {
      assertThat(before.values()).as("%s: some Palisade rule counted packets before the "
          + "restart", node.namespace()).anyMatch(packets -> packets > 0);
    }
    Map<String, Long> after = node.packetCounters();
    assertThat(after.keySet()).as("%s: Palisade rules after the restart", node.namespace())
        .containsExactlyInAnyOrderElementsOf(before.keySet());
    List<String> reset = new ArrayList<>();
    before.forEach((rule, packets) -> {
      if (after.get(rule) < packets) {
        reset.add(packets + " -> " + after.get(rule) + " packets: " + rule);
      }
    });
    assertThat(reset).as("%s: rule counters that went down across the restart",
        node.namespace()).isEmpty();
  }

  /**
   * The API server goes away: enforcement stays as it was (new connections are probed during
   * the outage); once it is back, the agents reconnect and enforce the next change.
   */
  @Test
  void enforcementOutlivesAnApiServerOutageAndReconverges() {
    GuardedService.run(cluster, Map.of(GuardedService.TIGHTENING, () -> {
      DemoTestAccess.pause(apiServer);
      try {
        ProbeLoop loop = ProbeLoop.start(DemoTestAccess.lab(cluster), List.of(A_TO_B, C_TO_B));
        Map<Flow, Tally> seen;
        try {
          loop.runFor(Duration.ofSeconds(3));
          loop.awaitMoreProbes(5);
        } finally {
          seen = loop.stop();
        }
        seen.forEach((flow, tally) -> assertThat(tally.wrong())
            .as("probes of %s while the API server is away", flow).isEmpty());
      } finally {
        DemoTestAccess.resume(apiServer);
      }
    }));
  }

  /**
   * Someone damages the nodes' state before step 2; the damage opens x/c -> x/b, and the next
   * drift check (every {@link #DRIFT_CHECK_INTERVAL} here, a sync that reads the kernel back)
   * puts every object back before the step's probes. With iptables: node 2's chain that FORWARD
   * jumps to is flushed and x/a removed from its set, node 1's FORWARD jump deleted. With eBPF:
   * on node 2 x/b's endpoint entry and verdicts are deleted, its from-pod link detached and the
   * IPv4 conntrack rule deleted; on node 1 the pins of the program and maps are removed (the
   * agent must load them anew, refill the maps and attach every link again).
   */
  @Test
  void driftIsRepairedByTheNextDriftCheck() {
    List<NodeDataplane> nodes = new ArrayList<>();
    List<List<String>> intact = new ArrayList<>();
    Runnable damage = () -> {
      nodes.addAll(NodeDataplane.of(cluster));
      nodes.forEach(node -> intact.add(node.palisadeObjects()));
      String opened;
      if (E2eCluster.ebpf()) {
        opened = damageMapsLinksAndPins();
        // node 1's damage opens nothing (its pods are not isolated): seen in its objects only
        for (int n = 0; n < nodes.size(); n++) {
          assertThat(nodes.get(n).palisadeObjects()).as("%s after the damage",
              nodes.get(n).namespace()).isNotEqualTo(intact.get(n));
        }
      } else {
        opened = damageChainsAndSets();
      }
      assertThat(DemoTestAccess.lab(cluster).reaches(C_TO_B.fromPod(), InetAddresses.forString(B),
          Protocol.TCP, 80))
          .as("x/c reaches x/b once %s", opened).isTrue();
      // the step's own probes then find every object back
      awaitRepair(nodes, intact);
    };
    GuardedService.run(cluster, Map.of(2, damage));
  }

  /** The iptables damage; returns what opens x/c -> x/b. */
  private static String damageChainsAndSets() {
    NodeKernel node1 = new NodeKernel(DemoTestAccess.lab(cluster), 1);
    NodeKernel node2 = new NodeKernel(DemoTestAccess.lab(cluster), 2);
    String chain = node2.forwardJumpTarget();
    assertThat(node2.rules(chain)).as("rules of %s on node 2", chain).isNotEmpty();
    node2.run("iptables", "-F", chain);
    String set = node2.setHolding(A);
    node2.run("ipset", "del", set, A);
    node1.run("iptables", "-D", "FORWARD", Integer.toString(node1.forwardJumpNumber()));
    return "node 2's chain " + chain + " is flushed";
  }

  /** The eBPF damage; returns what opens x/c -> x/b. */
  private static String damageMapsLinksAndPins() {
    NodeBpf node1 = new NodeBpf(cluster, 1);
    NodeBpf node2 = new NodeBpf(cluster, 2);
    assertThat(node2.deleteVerdictsOf("x/b")).as("verdict entries of x/b on node 2").isPositive();
    node2.deleteEndpoint("x/b");
    node2.detachLink("x/b", "from-pod");
    node2.deleteIpv4ConntrackRule();
    node1.removeProgramAndMapPins();
    return "node 2's endpoint entry of x/b is deleted";
  }

  private static void awaitRepair(List<NodeDataplane> nodes, List<List<String>> intact) {
    try {
      Eventually.within(DRIFT_CHECK_INTERVAL.multipliedBy(5).dividedBy(2), () -> {
        for (int n = 0; n < nodes.size(); n++) {
          assertThat(nodes.get(n).palisadeObjects()).as("%s after the repair",
              nodes.get(n).namespace()).isEqualTo(intact.get(n));
        }
      });
    } catch (Exception e) {
      throw new IllegalStateException("interrupted waiting for the repair", e);
    }
  }

  /**
   * A connection established before a policy stopped admitting it. With iptables and without
   * {@code --purge-conntrack} (the default) it keeps flowing: conntrack lets its packets
   * through. The eBPF program judges every packet of a connection by the maps as they are now
   * (docs/ebpf.md), so there the tightening cuts it.
   */
  @Test
  void anEstablishedConnectionOutlivesATighteningWithIptablesAndIsCutWithEbpf() {
    try (LongConnection connection = GuardedService.connectionAcrossTightening(cluster)) {
      if (E2eCluster.ebpf()) {
        assertThat(connection.awaitSilence(Duration.ofSeconds(2), Duration.ofSeconds(10)))
            .as("x/a -> x/b falls silent after the tightening (eBPF)").isTrue();
      } else {
        assertThat(connection.awaitEchoes(10, Duration.ofSeconds(5)))
            .as("echoes on x/a -> x/b after the tightening, without purge").isTrue();
      }
    }
  }
}
