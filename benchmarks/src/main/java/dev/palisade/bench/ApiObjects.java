package dev.palisade.bench;

import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.IpBlock;
import dev.palisade.model.LabelRequirement;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.Namespace;
import dev.palisade.model.NamespaceScope;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Rule;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlockBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.List;

/**
 * The synthetic cluster's model objects as the API objects a user and a kubelet would write:
 * the inverse of {@link ModelConverter}, so that the agent under measurement reads back exactly
 * the cluster the generator made (ApiObjectsTest converts every object there and back).
 */
final class ApiObjects {
  /** A container needs an image; nothing runs it. */
  private static final String IMAGE = "registry.invalid/synthetic";

  private ApiObjects() {}

  static io.fabric8.kubernetes.api.model.Namespace namespace(Namespace namespace) {
    return new NamespaceBuilder().withNewMetadata().withName(namespace.name())
        .withLabels(namespace.labels()).endMetadata().build();
  }

  /** The pod with its status (addresses, phase), as a kubelet reports it. */
  static io.fabric8.kubernetes.api.model.Pod pod(Pod pod) {
    ContainerBuilder container = new ContainerBuilder().withName("app").withImage(IMAGE);
    for (ContainerPort port : pod.ports()) {
      container.addToPorts(new ContainerPortBuilder().withName(port.name())
          .withContainerPort(port.port()).withProtocol(port.protocol().name()).build());
    }
    return new PodBuilder()
        .withNewMetadata().withNamespace(pod.ref().namespace()).withName(pod.ref().name())
        .withLabels(pod.labels()).endMetadata()
        .withNewSpec().withNodeName(pod.nodeName()).withHostNetwork(pod.hostNetwork())
        .withContainers(container.build()).endSpec()
        .withStatus(new PodStatusBuilder().withPhase(ModelConverter.apiName(pod.phase()))
            .withPodIP(pod.ips().isEmpty() ? null : pod.ips().get(0).getHostAddress())
            .withPodIPs(pod.ips().stream()
                .map(ip -> new PodIPBuilder().withIp(ip.getHostAddress()).build()).toList())
            .build())
        .build();
  }

  static NetworkPolicy networkPolicy(Policy policy) {
    NetworkPolicyBuilder builder = new NetworkPolicyBuilder()
        .withNewMetadata().withNamespace(policy.ref().namespace())
        .withName(policy.ref().name()).endMetadata()
        .withNewSpec().withPodSelector(selector(policy.podSelector()))
        .withPolicyTypes(policy.policyTypes().stream().map(Direction::title).toList())
        .endSpec();
    for (Rule rule : policy.ingress()) {
      builder.editSpec().addToIngress(new NetworkPolicyIngressRuleBuilder()
          .withFrom(rule.peers().stream().map(peer -> peer(peer, policy)).toList())
          .withPorts(rule.ports().stream().map(ApiObjects::port).toList()).build()).endSpec();
    }
    for (Rule rule : policy.egress()) {
      builder.editSpec().addToEgress(new NetworkPolicyEgressRuleBuilder()
          .withTo(rule.peers().stream().map(peer -> peer(peer, policy)).toList())
          .withPorts(rule.ports().stream().map(ApiObjects::port).toList()).build()).endSpec();
    }
    return builder.build();
  }

  private static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer peer(Peer peer,
      Policy policy) {
    NetworkPolicyPeerBuilder written = new NetworkPolicyPeerBuilder();
    if (peer instanceof IpBlock block) {
      return written.withIpBlock(new IPBlockBuilder().withCidr(block.cidr().toString())
          .withExcept(block.except().stream().map(Object::toString).toList()).build()).build();
    }
    PeerSelector selector = (PeerSelector) peer;
    if (selector.namespaces() instanceof NamespaceScope.Matching matching) {
      written.withNamespaceSelector(selector(matching.selector()));
      if (!selector.pods().matchesEverything()) {
        written.withPodSelector(selector(selector.pods()));
      }
    } else if (selector.namespaces().equals(NamespaceScope.named(policy.ref().namespace()))) {
      // a peer without namespaceSelector looks only in the policy's own namespace
      written.withPodSelector(selector(selector.pods()));
    } else {
      throw new IllegalArgumentException("a peer in another named namespace has no API form: "
          + selector);
    }
    return written.build();
  }

  private static NetworkPolicyPort port(PortMatcher port) {
    NetworkPolicyPortBuilder written = new NetworkPolicyPortBuilder()
        .withProtocol(port.protocol().name());
    if (port instanceof PortMatcher.PortRange range) {
      return written.withPort(new IntOrString(range.port()))
          .withEndPort(range.isSingle() ? null : range.endPort()).build();
    }
    if (port instanceof PortMatcher.NamedPort named) {
      if (named.withEndPort()) {
        throw new IllegalArgumentException("the API refuses endPort with a port name: " + named);
      }
      return written.withPort(new IntOrString(named.name())).build();
    }
    return written.build(); // AnyPort: every port of the protocol
  }

  private static io.fabric8.kubernetes.api.model.LabelSelector selector(LabelSelector selector) {
    LabelSelectorBuilder written = new LabelSelectorBuilder();
    if (!selector.matchLabels().isEmpty()) {
      written.withMatchLabels(selector.matchLabels());
    }
    for (LabelRequirement requirement : selector.expressions()) {
      written.addToMatchExpressions(new LabelSelectorRequirementBuilder()
          .withKey(requirement.key()).withOperator(requirement.operator().apiName())
          .withValues(List.copyOf(requirement.values())).build());
    }
    return written.build();
  }

}
