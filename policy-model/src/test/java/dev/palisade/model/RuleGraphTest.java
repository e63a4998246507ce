package dev.palisade.model;

import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Cases the random test ({@link RuleGraphRandomChangesTest}) found, kept as plain examples. */
class RuleGraphTest {
  private static final InetAddress REUSED = InetAddresses.forString("10.0.0.5");

  @Test
  void aNamespaceSeenAfterItsPodsPutsThemIntoMatchingSelectors() {
    RuleGraph graph = new RuleGraph();
    graph.upsertPod(pod("a").in("y").ip("10.0.2.1").build());
    Policy policy = policy("from-blue").in("x")
        .ingress(rule().peers(namespacePeer(selector("team", "blue")))).build();
    graph.upsertPolicy(policy);
    PeerSelector fromBlue = (PeerSelector) policy.ingress().get(0).peers().get(0);

    GraphDelta delta = graph.upsertNamespace(namespace("y", "team", "blue"));

    assertThat(graph.members(fromBlue)).containsExactly(ObjectRef.of("y", "a"));
    assertThat(delta.selectors()).contains(fromBlue);
  }

  @Test
  void anAddressClaimedTwiceFallsBackToTheOlderClaimWhenTheNewerGoes() {
    RuleGraph graph = new RuleGraph();
    graph.upsertPod(pod("old").in("x").ip("10.0.0.5").build());
    graph.upsertPod(pod("new").in("x").ip("10.0.0.5").build());
    assertThat(graph.endpointByIp(REUSED).map(Pod::ref)).contains(ObjectRef.of("x", "new"));

    graph.deletePod(ObjectRef.of("x", "new"));

    assertThat(graph.endpointByIp(REUSED).map(Pod::ref)).contains(ObjectRef.of("x", "old"));
  }

  @Test
  void anAddressStaysWithTheNewerClaimWhenTheOlderTerminates() {
    RuleGraph graph = new RuleGraph();
    Pod old = pod("old").in("x").ip("10.0.0.5").build();
    graph.upsertPod(old);
    graph.upsertPod(pod("new").in("x").ip("10.0.0.5").build());

    graph.upsertPod(old.withPhase(PodPhase.SUCCEEDED));

    assertThat(graph.endpointByIp(REUSED).map(Pod::ref)).contains(ObjectRef.of("x", "new"));
  }

  @Test
  void aLabelChangeDoesNotMakeAnOlderClaimWin() {
    RuleGraph graph = new RuleGraph();
    Pod old = pod("old").in("x").ip("10.0.0.5").build();
    graph.upsertPod(old);
    graph.upsertPod(pod("new").in("x").ip("10.0.0.5").build());

    graph.upsertPod(old.withLabels(selector("app", "web").matchLabels()));

    assertThat(graph.endpointByIp(REUSED).map(Pod::ref)).contains(ObjectRef.of("x", "new"));
  }
}
