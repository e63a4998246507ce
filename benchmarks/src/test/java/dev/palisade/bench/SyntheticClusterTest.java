package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.model.Namespace;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyntheticClusterTest {
  /** A tenth of the benchmark size: same proportions, fast enough for a unit test. */
  private static final ClusterSize SIZE = ClusterSize.of(20, 1_000, 200);
  private static final SyntheticCluster CLUSTER = SyntheticCluster.generate(SIZE, 42);
  private static final RuleGraph GRAPH = CLUSTER.toGraph();

  @Test
  void theSameSeedGivesTheSameCluster() {
    assertThat(SyntheticCluster.generate(SIZE, 42)).isEqualTo(CLUSTER);
  }

  @Test
  void anotherSeedGivesAnotherCluster() {
    SyntheticCluster other = SyntheticCluster.generate(SIZE, 43);
    assertThat(other.pods()).isNotEqualTo(CLUSTER.pods());
    assertThat(other.policies()).isNotEqualTo(CLUSTER.policies());
  }

  @Test
  void holdsAsManyObjectsAsAsked() {
    assertThat(CLUSTER.namespaces()).hasSize(20);
    assertThat(CLUSTER.pods()).hasSize(1_000);
    assertThat(CLUSTER.policies()).hasSize(200);
    assertThat(GRAPH.namespaces()).hasSize(20);
    assertThat(GRAPH.pods()).hasSize(1_000);
    assertThat(GRAPH.policies()).hasSize(200);
  }

  @Test
  void theTargetSizeHasAbout110PodsOnEachOf91Nodes() {
    ClusterSize target = ClusterSize.target();
    assertThat(target).isEqualTo(new ClusterSize(100, 10_000, 1_000, 91));
  }

  @Test
  void shapesComeInTheirProportions() {
    Map<PolicyShape, Long> counts = CLUSTER.shapes().values().stream()
        .collect(Collectors.groupingBy(shape -> shape, Collectors.counting()));
    assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(
        PolicyShape.DEFAULT_DENY, 20L,
        PolicyShape.DNS_EGRESS, 10L,
        PolicyShape.APP_TO_APP, 60L,
        PolicyShape.NAMESPACE_ISOLATION, 20L,
        PolicyShape.NAMESPACE_AND_POD, 20L,
        PolicyShape.IP_BLOCK_EGRESS, 20L,
        PolicyShape.NAMED_PORT_INGRESS, 30L,
        PolicyShape.MATCH_EXPRESSIONS, 20L));
  }

  @Test
  void roundingRemainderGoesToAppToApp() {
    // 3 policies: every weight rounds down to none, so all three are app-to-app
    List<PolicyShape> mix = PolicyGenerator.shapeMix(3);
    assertThat(mix).hasSize(3).containsOnly(PolicyShape.APP_TO_APP);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(PolicyShape.class)
  void everyPolicySelectsSomePods(PolicyShape shape) {
    List<Policy> policies = CLUSTER.policies(shape);
    assertThat(policies).isNotEmpty();
    for (Policy policy : policies) {
      assertThat(GRAPH.members(policy.targets())).as("pods selected by %s", policy.ref())
          .isNotEmpty();
    }
  }

  @Test
  void bothFeedOrdersBuildTheSameGraph() {
    // the build benchmark times both orders; they must be timing the same work
    RuleGraph policiesFirst = FeedOrder.POLICIES_FIRST.feed(CLUSTER, new RuleGraph());
    assertThat(policiesFirst.selectors()).isEqualTo(GRAPH.selectors());
    for (PeerSelector selector : GRAPH.selectors()) {
      assertThat(policiesFirst.members(selector)).as("members of %s", selector)
          .isEqualTo(GRAPH.members(selector));
    }
  }

  @Test
  void namespacesCarryTeamEnvAndName() {
    for (Namespace namespace : CLUSTER.namespaces()) {
      assertThat(namespace.labels()).containsKeys("team", "env", Namespace.NAME_LABEL);
    }
  }

  @Test
  void podsCarryTheWorkloadLabelsAndNamedPorts() {
    for (Pod pod : CLUSTER.pods()) {
      assertThat(pod.labels()).as("labels of %s", pod.ref())
          .containsKeys("app", "tier", "team", "env", "version");
      assertThat(pod.ports()).as("ports of %s", pod.ref()).isNotEmpty()
          .allSatisfy(port -> assertThat(port.name()).isNotNull());
      assertThat(pod.isEndpoint()).isTrue();
    }
    Set<String> portNames = CLUSTER.pods().stream()
        .flatMap(pod -> pod.ports().stream())
        .map(port -> port.name())
        .collect(Collectors.toSet());
    assertThat(portNames).contains("http", "metrics", "grpc", "dns");
  }

  @Test
  void podAddressesAreUniqueAndFromTheirNodesPodCidr() {
    Set<InetAddress> seen = new HashSet<>();
    for (Pod pod : CLUSTER.pods()) {
      InetAddress ip = pod.ips().get(0);
      assertThat(seen.add(ip)).as("%s reuses %s", pod.ref(), ip).isTrue();
      int node = Integer.parseInt(pod.nodeName().substring("node-".length()));
      assertThat(PodGenerator.podCidr(node).contains(ip))
          .as("%s on %s has %s", pod.ref(), pod.nodeName(), ip).isTrue();
    }
  }

  @Test
  void podsAreSpreadEvenlyOverTheNodes() {
    Collection<Long> podsPerNode = CLUSTER.pods().stream()
        .collect(Collectors.groupingBy(Pod::nodeName, Collectors.counting()))
        .values();
    assertThat(podsPerNode).hasSize(SIZE.nodes());
    assertThat(podsPerNode).allSatisfy(count -> assertThat(count).isBetween(100L, 101L));
  }

  @Test
  void aSizeThatCannotBeBuiltIsRefusedWithItsReason() {
    assertThatThrownBy(() -> ClusterSize.of(2, 10, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespaces must be at least 3");
    assertThatThrownBy(() -> ClusterSize.of(10, 5, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pods (5) must be at least namespaces (10)");
    assertThatThrownBy(() -> new ClusterSize(10, 1_000, 1, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1000 pods do not fit on 2 nodes");
  }
}
