package dev.palisade.model;

import static dev.palisade.model.testing.Builders.requirement;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import dev.palisade.model.LabelRequirement.Operator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Draws random changes to a small cluster from a seeded {@link Random}: namespaces whose labels
 * change, pods whose labels, phase and addresses change (addresses are drawn from a small pool,
 * so they are reused), and policies drawn from a small pool of selectors, so that several
 * policies share selectors. It keeps the cluster as it stands ({@link #world()}) so a test can
 * rebuild a graph from scratch. Rules carry port numbers, ranges and names now and then, and
 * policyTypes may leave a direction's rules ignored.
 */
final class RandomChanges {

  /** One change, applied to a graph. */
  record Change(String description, Function<RuleGraph, GraphDelta> apply) {
    @Override
    public String toString() {
      return description;
    }
  }

  /** The objects the cluster holds after the changes drawn so far. */
  record World(Map<String, Namespace> namespaces, Map<ObjectRef, Pod> pods,
      Map<ObjectRef, Policy> policies) {}

  private static final List<String> NAMESPACES = List.of("ns0", "ns1", "ns2", "ns3");
  private static final List<String> POD_NAMES = List.of("p0", "p1", "p2", "p3", "p4");
  private static final List<String> POLICY_NAMES = List.of("pol0", "pol1", "pol2");
  private static final List<LabelSelector> POD_SELECTORS = List.of(
      LabelSelector.EVERYTHING,
      LabelSelector.of(Map.of("app", "web")),
      LabelSelector.of(Map.of("app", "db")),
      LabelSelector.of(Map.of("tier", "front")),
      LabelSelector.of(Map.of(), List.of(requirement("app", Operator.IN, "web", "cache"))),
      LabelSelector.of(Map.of(), List.of(requirement("app", Operator.NOT_IN, "db"))),
      LabelSelector.of(Map.of(), List.of(requirement("tier", Operator.DOES_NOT_EXIST))),
      LabelSelector.of(Map.of("app", "web"), List.of(requirement("tier", Operator.EXISTS))));
  private static final List<LabelSelector> NAMESPACE_SELECTORS = List.of(
      LabelSelector.EVERYTHING,
      LabelSelector.of(Map.of("team", "red")),
      LabelSelector.of(Map.of(), List.of(requirement("env", Operator.NOT_IN, "prod"))),
      LabelSelector.of(Map.of(), List.of(requirement("team", Operator.EXISTS))),
      LabelSelector.of(Map.of(Namespace.NAME_LABEL, "ns1")));
  private static final List<String> CIDRS = List.of("10.0.0.0/28", "10.0.0.0/24", "fd00::/120");

  private final Random random;
  private final Map<String, Namespace> namespaces = new TreeMap<>();
  private final Map<ObjectRef, Pod> pods = new TreeMap<>();
  private final Map<ObjectRef, Policy> policies = new TreeMap<>();

  RandomChanges(long seed) {
    this.random = new Random(seed);
  }

  World world() {
    return new World(Map.copyOf(namespaces), Map.copyOf(pods), Map.copyOf(policies));
  }

  Change next() {
    int kind = random.nextInt(100);
    if (kind < 12) {
      return namespaceChange();
    }
    if (kind < 65) {
      return podChange();
    }
    return policyChange();
  }

  private Change namespaceChange() {
    String name = pick(NAMESPACES);
    if (random.nextInt(4) == 0) {
      namespaces.remove(name);
      return new Change("delete namespace " + name, graph -> graph.deleteNamespace(name));
    }
    Map<String, String> labels = new TreeMap<>();
    maybePut(labels, "team", "red", "blue");
    maybePut(labels, "env", "prod", "dev");
    Namespace namespace = Namespace.of(name, labels);
    namespaces.put(name, namespace);
    return new Change("upsert " + namespace, graph -> graph.upsertNamespace(namespace));
  }

  private Change podChange() {
    ObjectRef ref = ObjectRef.of(pick(NAMESPACES), pick(POD_NAMES));
    Pod previous = pods.get(ref);
    if (previous != null && random.nextInt(5) == 0) {
      pods.remove(ref);
      return new Change("delete pod " + ref, graph -> graph.deletePod(ref));
    }
    Pod pod = previous == null ? newPod(ref) : changedPod(previous);
    pods.put(ref, pod);
    return new Change("upsert " + pod, graph -> graph.upsertPod(pod));
  }

  private Pod newPod(ObjectRef ref) {
    return new Pod(ref, randomPodLabels(), randomIps(), pick(List.of("node-1", "node-2")),
        randomPorts(), random.nextInt(6) == 0 ? PodPhase.PENDING : PodPhase.RUNNING,
        random.nextInt(10) == 0);
  }

  /** One kind of change at a time, as the API server's updates usually come. */
  private Pod changedPod(Pod pod) {
    return switch (random.nextInt(4)) {
      case 0 -> pod.withLabels(randomPodLabels());
      case 1 -> pod.withPhase(pick(List.of(PodPhase.values())));
      case 2 -> new Pod(pod.ref(), pod.labels(), randomIps(), pod.nodeName(), pod.ports(),
          pod.phase(), pod.hostNetwork());
      default -> new Pod(pod.ref(), pod.labels(), pod.ips(), pod.nodeName(), randomPorts(),
          pod.phase(), pod.hostNetwork());
    };
  }

  private ImmutableSortedMap<String, String> randomPodLabels() {
    Map<String, String> labels = new TreeMap<>();
    maybePut(labels, "app", "web", "db", "cache");
    maybePut(labels, "tier", "front", "back");
    return ImmutableSortedMap.copyOf(labels);
  }

  /** Few addresses, so that they are reused; sometimes none, sometimes dual stack. */
  private ImmutableList<InetAddress> randomIps() {
    List<InetAddress> ips = new ArrayList<>();
    int shape = random.nextInt(8);
    if (shape == 0) {
      return ImmutableList.of();
    }
    int host = 1 + random.nextInt(12);
    ips.add(InetAddresses.forString("10.0.0." + host));
    if (shape == 1) {
      ips.add(InetAddresses.forString("fd00::" + host));
    }
    return ImmutableList.copyOf(ips);
  }

  private ImmutableList<ContainerPort> randomPorts() {
    return random.nextBoolean()
        ? ImmutableList.of(new ContainerPort("http", 8080, Protocol.TCP))
        : ImmutableList.of(new ContainerPort("http", 9090, Protocol.TCP),
            new ContainerPort("dns", 53, Protocol.UDP));
  }

  private Change policyChange() {
    String namespace = pick(NAMESPACES);
    ObjectRef ref = ObjectRef.of(namespace, pick(POLICY_NAMES));
    if (policies.containsKey(ref) && random.nextInt(4) == 0) {
      policies.remove(ref);
      return new Change("delete policy " + ref, graph -> graph.deletePolicy(ref));
    }
    List<Rule> ingress = randomRules(namespace);
    List<Rule> egress = randomRules(namespace);
    Set<Direction> types = random.nextBoolean()
        ? Policy.defaultPolicyTypes(egress.size())
        : pick(List.of(EnumSet.of(Direction.INGRESS), EnumSet.of(Direction.EGRESS),
            EnumSet.allOf(Direction.class)));
    Policy policy = Policy.of(ref, pick(POD_SELECTORS), ImmutableSet.copyOf(types), ingress,
        egress);
    policies.put(ref, policy);
    return new Change("upsert policy " + ref + " selecting " + policy.podSelector()
        + " " + types + " ingress " + ingress + " egress " + egress,
        graph -> graph.upsertPolicy(policy));
  }

  private List<Rule> randomRules(String namespace) {
    List<Rule> rules = new ArrayList<>();
    int count = random.nextInt(3);
    for (int i = 0; i < count; i++) {
      List<Peer> peers = new ArrayList<>();
      int peerCount = random.nextInt(3);
      for (int j = 0; j < peerCount; j++) {
        peers.add(randomPeer(namespace));
      }
      rules.add(new Rule(ImmutableList.copyOf(peers), randomPortMatchers()));
    }
    return rules;
  }

  /** Mostly none (every port); else a number, a range or a name the pods may declare. */
  private ImmutableList<PortMatcher> randomPortMatchers() {
    return switch (random.nextInt(6)) {
      case 0 -> ImmutableList.of(PortMatcher.PortRange.single(Protocol.TCP, 8080));
      case 1 -> ImmutableList.of(new PortMatcher.PortRange(Protocol.TCP, 8000, 9999));
      case 2 -> ImmutableList.of(new PortMatcher.NamedPort(pick(List.of(Protocol.TCP,
          Protocol.UDP)), pick(List.of("http", "dns", "metrics"))));
      default -> ImmutableList.of();
    };
  }

  private Peer randomPeer(String namespace) {
    return switch (random.nextInt(4)) {
      case 0 -> new PeerSelector(NamespaceScope.named(namespace), pick(POD_SELECTORS));
      case 1 -> new PeerSelector(NamespaceScope.matching(pick(NAMESPACE_SELECTORS)),
          LabelSelector.EVERYTHING);
      case 2 -> new PeerSelector(NamespaceScope.matching(pick(NAMESPACE_SELECTORS)),
          pick(POD_SELECTORS));
      default -> IpBlock.of(Cidr.parse(pick(CIDRS)), List.of());
    };
  }

  private void maybePut(Map<String, String> labels, String key, String... values) {
    int choice = random.nextInt(values.length + 1);
    if (choice < values.length) {
      labels.put(key, values[choice]);
    }
  }

  private <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }
}
