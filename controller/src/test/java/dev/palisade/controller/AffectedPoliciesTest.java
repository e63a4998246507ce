package dev.palisade.controller;

import static dev.palisade.controller.ClusterObjects.denyIngress;
import static dev.palisade.controller.ClusterObjects.fromNamespaces;
import static dev.palisade.controller.ClusterObjects.namespace;
import static dev.palisade.controller.ClusterObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AffectedPoliciesTest {

  static Stream<Arguments> indexKeys() {
    return Stream.of(
        Arguments.of("no rules: own namespace", denyIngress("x", "p", "pod", "a"), List.of("x")),
        Arguments.of("podSelector peer: own namespace",
            withEgressPeer(new NetworkPolicyPeerBuilder()
                .withPodSelector(new LabelSelectorBuilder().addToMatchLabels("pod", "b").build())
                .build()),
            List.of("x")),
        Arguments.of("ipBlock peer: own namespace",
            withEgressPeer(new NetworkPolicyPeerBuilder().withNewIpBlock()
                .withCidr("10.0.0.0/8").endIpBlock().build()),
            List.of("x")),
        Arguments.of("namespaceSelector in ingress: every namespace",
            fromNamespaces("x", "p", Map.of(), Map.of("team", "blue")),
            List.of("x", AffectedPolicies.ANY_NAMESPACE)),
        Arguments.of("empty namespaceSelector in egress: every namespace",
            withEgressPeer(new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(new LabelSelectorBuilder().build()).build()),
            List.of("x", AffectedPolicies.ANY_NAMESPACE)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void indexKeys(String name, NetworkPolicy policy, List<String> expected) {
    assertThat(AffectedPolicies.namespacesRead(policy)).isEqualTo(expected);
  }

  @Test
  void aChangeInANamespaceReachesItsPoliciesAndThoseThatSelectNamespaces() {
    var policies = new ListCache<NetworkPolicy>()
        .put(denyIngress("x", "local", "pod", "a"))
        .put(denyIngress("y", "elsewhere", "pod", "a"))
        .put(fromNamespaces("y", "from-blue", Map.of(), Map.of("team", "blue")));
    AffectedPolicies affected = AffectedPolicies.indexing(policies);

    assertThat(affected.forPods().toPrimaryResourceIDs(pod("x", "a", "10.0.0.1")))
        .containsExactlyInAnyOrder(new ResourceID("local", "x"),
            new ResourceID("from-blue", "y"));
    assertThat(affected.forNamespaces().toPrimaryResourceIDs(namespace("z", "team", "blue")))
        .containsExactly(new ResourceID("from-blue", "y"));
  }

  private static NetworkPolicy withEgressPeer(
      io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer peer) {
    return new NetworkPolicyBuilder(denyIngress("x", "p", "pod", "a"))
        .editSpec().addNewEgress().withTo(peer).endEgress().endSpec()
        .build();
  }
}
