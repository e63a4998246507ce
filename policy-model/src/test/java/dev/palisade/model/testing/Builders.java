package dev.palisade.model.testing;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import dev.palisade.model.Cidr;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.IpBlock;
import dev.palisade.model.LabelRequirement;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.Namespace;
import dev.palisade.model.NamespaceScope;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.PodPhase;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Protocol;
import dev.palisade.model.Rule;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tiny builders for tests: {@code pod("a").in("x").labels("pod", "a").ip("10.0.1.10").build()},
 * {@code policy("deny").in("x").ingress(rule().from(podPeer(labels("pod", "b"))))...}.
 */
public final class Builders {
  private Builders() {}

  public static Map<String, String> labels(String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("labels take key, value pairs");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      labels.put(keyValues[i], keyValues[i + 1]);
    }
    return labels;
  }

  public static LabelSelector selector(String... keyValues) {
    return LabelSelector.of(labels(keyValues));
  }

  public static LabelSelector selector(LabelRequirement... expressions) {
    return LabelSelector.of(Map.of(), List.of(expressions));
  }

  public static LabelRequirement requirement(String key, LabelRequirement.Operator operator,
      String... values) {
    return new LabelRequirement(key, operator,
        com.google.common.collect.ImmutableSortedSet.copyOf(values));
  }

  public static Namespace namespace(String name, String... keyValues) {
    return Namespace.of(name, labels(keyValues));
  }

  public static PodBuilder pod(String name) {
    return new PodBuilder(name);
  }

  public static PolicyBuilder policy(String name) {
    return new PolicyBuilder(name);
  }

  public static RuleBuilder rule() {
    return new RuleBuilder();
  }

  /** A peer with only podSelector: pods of the policy's own namespace. */
  public static Peer podPeer(String policyNamespace, LabelSelector pods) {
    return new PeerSelector(NamespaceScope.named(policyNamespace), pods);
  }

  /** A peer with only namespaceSelector: every pod of the matching namespaces. */
  public static Peer namespacePeer(LabelSelector namespaces) {
    return new PeerSelector(NamespaceScope.matching(namespaces), LabelSelector.EVERYTHING);
  }

  /** A peer with both selectors in one item: AND. */
  public static Peer peer(LabelSelector namespaces, LabelSelector pods) {
    return new PeerSelector(NamespaceScope.matching(namespaces), pods);
  }

  public static Peer ipBlock(String cidr, String... except) {
    return IpBlock.of(Cidr.parse(cidr), Arrays.stream(except).map(Cidr::parse).toList());
  }

  public static PortMatcher tcp(int port) {
    return PortMatcher.PortRange.single(Protocol.TCP, port);
  }

  public static PortMatcher udp(int port) {
    return PortMatcher.PortRange.single(Protocol.UDP, port);
  }

  public static PortMatcher sctp(int port) {
    return PortMatcher.PortRange.single(Protocol.SCTP, port);
  }

  public static PortMatcher range(Protocol protocol, int port, int endPort) {
    return new PortMatcher.PortRange(protocol, port, endPort);
  }

  public static PortMatcher named(Protocol protocol, String name) {
    return new PortMatcher.NamedPort(protocol, name);
  }

  public static PortMatcher anyPort(Protocol protocol) {
    return new PortMatcher.AnyPort(protocol);
  }

  public static final class PodBuilder {
    private final String name;
    private String namespace = "default";
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<InetAddress> ips = new ArrayList<>();
    private String node = "node-1";
    private final List<ContainerPort> ports = new ArrayList<>();
    private PodPhase phase = PodPhase.RUNNING;
    private boolean hostNetwork;

    private PodBuilder(String name) {
      this.name = name;
    }

    public PodBuilder in(String ns) {
      this.namespace = ns;
      return this;
    }

    public PodBuilder labels(String... keyValues) {
      labels.putAll(Builders.labels(keyValues));
      return this;
    }

    public PodBuilder ip(String... addresses) {
      for (String address : addresses) {
        ips.add(InetAddresses.forString(address));
      }
      return this;
    }

    public PodBuilder node(String nodeName) {
      this.node = nodeName;
      return this;
    }

    public PodBuilder port(String portName, int number, Protocol protocol) {
      ports.add(new ContainerPort(portName, number, protocol));
      return this;
    }

    public PodBuilder phase(PodPhase podPhase) {
      this.phase = podPhase;
      return this;
    }

    public PodBuilder hostNetwork() {
      this.hostNetwork = true;
      return this;
    }

    public Pod build() {
      return new Pod(ObjectRef.of(namespace, name), ImmutableSortedMap.copyOf(labels),
          ImmutableList.copyOf(ips), node, ImmutableList.copyOf(ports), phase, hostNetwork);
    }
  }

  public static final class PolicyBuilder {
    private final String name;
    private String namespace = "default";
    private LabelSelector podSelector = LabelSelector.EVERYTHING;
    private final Set<Direction> types = EnumSet.noneOf(Direction.class);
    private boolean typesGiven;
    private final List<Rule> ingress = new ArrayList<>();
    private final List<Rule> egress = new ArrayList<>();

    private PolicyBuilder(String name) {
      this.name = name;
    }

    public PolicyBuilder in(String ns) {
      this.namespace = ns;
      return this;
    }

    public PolicyBuilder select(LabelSelector selector) {
      this.podSelector = selector;
      return this;
    }

    /** Explicit policyTypes; without this call they default as the API server does. */
    public PolicyBuilder types(Direction... directions) {
      types.addAll(Arrays.asList(directions));
      typesGiven = true;
      return this;
    }

    public PolicyBuilder ingress(RuleBuilder... rules) {
      for (RuleBuilder rule : rules) {
        ingress.add(rule.build());
      }
      return this;
    }

    public PolicyBuilder egress(RuleBuilder... rules) {
      for (RuleBuilder rule : rules) {
        egress.add(rule.build());
      }
      return this;
    }

    public Policy build() {
      ImmutableSet<Direction> policyTypes = typesGiven ? ImmutableSet.copyOf(types)
          : Policy.defaultPolicyTypes(egress.size());
      return Policy.of(ObjectRef.of(namespace, name), podSelector, policyTypes, ingress, egress);
    }
  }

  public static final class RuleBuilder {
    private final List<Peer> peers = new ArrayList<>();
    private final List<PortMatcher> ports = new ArrayList<>();

    private RuleBuilder() {}

    /** Peers of the rule ({@code from} or {@code to}); none means every peer. */
    public RuleBuilder peers(Peer... alternatives) {
      peers.addAll(Arrays.asList(alternatives));
      return this;
    }

    public RuleBuilder ports(PortMatcher... matchers) {
      ports.addAll(Arrays.asList(matchers));
      return this;
    }

    public Rule build() {
      return new Rule(ImmutableList.copyOf(peers), ImmutableList.copyOf(ports));
    }
  }
}
