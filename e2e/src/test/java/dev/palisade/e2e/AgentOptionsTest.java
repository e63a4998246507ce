package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.DemoTestAccess;
import dev.palisade.model.Protocol;
import dev.palisade.scenario.ClusterState;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioRunner;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent's optional protections on one real cluster whose agents run with
 * {@code --purge-conntrack=true} and {@code --fail-closed=true} (pod CIDRs from the Node
 * objects, 10.244.N.0/24): tightening a policy cuts an established connection, and a pod the
 * agents do not know yet is cut off until its Pod object is written.
 */
@Tag("kernel")
class AgentOptionsTest {
  /** A pod the API server does not know yet, with an address of node 1's pod CIDR. */
  private static final String NEW_POD = "x/newcomer";
  private static final String NEW_POD_IP = "10.244.1.50";

  private static DemoBackend cluster;

  @BeforeAll
  static void startCluster() {
    List<String> options = new ArrayList<>(E2eCluster.standardAgentOptions());
    options.addAll(List.of("--purge-conntrack=true", "--fail-closed=true"));
    cluster = E2eCluster.start("agent-options", options);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** With purge on, the established x/a -> x/b connection stops once x/a is not admitted. */
  @Test
  void tighteningAPolicyCutsAnEstablishedConnection() {
    try (LongConnection connection = GuardedService.connectionAcrossTightening(cluster)) {
      assertThat(connection.awaitSilence(Duration.ofSeconds(1), Duration.ofSeconds(5)))
          .as("x/a -> x/b fell silent after the tightening, with purge").isTrue();
    }
  }

  /**
   * Fail-closed: a pod namespace wired on node 1 with an address of its pod CIDR, before the
   * API server knows the pod, can neither reach nor be reached (whether from its own node or
   * the other); once its Pod object is written and enforced, it can. Known pods are untouched.
   */
  @Test
  void anUnknownPodIsCutOffUntilItsPodObjectIsWritten() {
    ClusterState guarded = ScenarioRunner.stateAfter(
        new ScenarioParser().parse(GuardedService.FILE), 1);
    cluster.converge(guarded);
    NetnsCluster lab = DemoTestAccess.lab(cluster);
    InetAddress newcomer = InetAddresses.forString(NEW_POD_IP);
    lab.addPod(NEW_POD, 1, List.of(newcomer));
    try (KubernetesClient client = cluster.apiServer().client()) {
      lab.serve(NEW_POD, Protocol.TCP, 80);

      assertThat(reachability(lab, newcomer)).as("while the API server does not know %s",
          NEW_POD).isEqualTo(Map.of(
              "x/a -> newcomer", false, "x/b -> newcomer", false,
              "newcomer -> x/a", false, "newcomer -> x/b", false,
              "x/a -> x/b", true));

      Pod pod = client.resource(newcomerPod()).create();
      try {
        cluster.converge(guarded);
        assertThat(reachability(lab, newcomer)).as("once %s is written", NEW_POD).isEqualTo(
            Map.of("x/a -> newcomer", true, "x/b -> newcomer", true,
                "newcomer -> x/a", true, "newcomer -> x/b", false,
                "x/a -> x/b", true));
      } finally {
        client.resource(pod).delete();
      }
    } finally {
      lab.removePod(NEW_POD);
    }
  }

  /**
   * The newcomer's flows to and from the guarded service's pods, and one flow between known
   * pods. x/b admits only x/a, so newcomer -> x/b stays denied once known.
   */
  private static Map<String, Boolean> reachability(NetnsCluster lab, InetAddress newcomer) {
    InetAddress a = InetAddresses.forString(GuardedService.A);
    InetAddress b = InetAddresses.forString(GuardedService.B);
    return Map.of(
        "x/a -> newcomer", lab.reaches("x/a", newcomer, Protocol.TCP, 80),
        "x/b -> newcomer", lab.reaches("x/b", newcomer, Protocol.TCP, 80),
        "newcomer -> x/a", lab.reaches(NEW_POD, a, Protocol.TCP, 80),
        "newcomer -> x/b", lab.reaches(NEW_POD, b, Protocol.TCP, 80),
        "x/a -> x/b", lab.reaches("x/a", b, Protocol.TCP, 80));
  }

  private static Pod newcomerPod() {
    return new PodBuilder()
        .withNewMetadata().withName("newcomer").withNamespace("x")
        .addToLabels("pod", "newcomer").endMetadata()
        .withNewSpec().withNodeName("node-1").addNewContainer().withName("serve")
        .addNewPort().withName("serve-80-tcp").withContainerPort(80).withProtocol("TCP")
        .endPort().endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP(NEW_POD_IP)
        .addNewPodIP().withIp(NEW_POD_IP).endPodIP().endStatus()
        .build();
  }
}
