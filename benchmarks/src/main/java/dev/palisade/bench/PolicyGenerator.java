package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.model.Cidr;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.IpBlock;
import dev.palisade.model.LabelRequirement;
import dev.palisade.model.LabelRequirement.Operator;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.Namespace;
import dev.palisade.model.NamespaceScope;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.PortMatcher.NamedPort;
import dev.palisade.model.PortMatcher.PortRange;
import dev.palisade.model.Protocol;
import dev.palisade.model.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Writes the policies of a synthetic cluster: {@link PolicyShape#weight()} percent of them of
 * each shape (the rounding remainder goes to {@link PolicyShape#APP_TO_APP}), in shuffled
 * order, each naming labels that the layout's pods carry so that it selects pods. Default-deny
 * and DNS policies go to the tenant namespaces in turn; the others to a random one.
 */
final class PolicyGenerator {
  private static final List<Cidr> PRIVATE_RANGES = List.of(
      Cidr.parse("10.0.0.0/8"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.168.0.0/16"));

  private final ClusterLayout layout;
  private final Random random;
  private final Map<PolicyShape, Integer> written = new EnumMap<>(PolicyShape.class);

  private PolicyGenerator(ClusterLayout layout, Random random) {
    this.layout = layout;
    this.random = random;
  }

  /** The policies in the order they were written, each with its shape. */
  static ImmutableMap<Policy, PolicyShape> generate(ClusterLayout layout, int count,
      Random random) {
    PolicyGenerator generator = new PolicyGenerator(layout, random);
    ImmutableMap.Builder<Policy, PolicyShape> policies = ImmutableMap.builder();
    List<PolicyShape> shapes = shapeMix(count);
    Collections.shuffle(shapes, random);
    for (int i = 0; i < shapes.size(); i++) {
      PolicyShape shape = shapes.get(i);
      policies.put(generator.write(shape, String.format("%s-%04d", shape.namePrefix(), i)), shape);
    }
    return policies.buildOrThrow();
  }

  /** {@code count} shapes in the proportions of their weights. */
  static List<PolicyShape> shapeMix(int count) {
    List<PolicyShape> shapes = new ArrayList<>(count);
    for (PolicyShape shape : PolicyShape.values()) {
      shapes.addAll(Collections.nCopies(count * shape.weight() / 100, shape));
    }
    shapes.addAll(Collections.nCopies(count - shapes.size(), PolicyShape.APP_TO_APP));
    return shapes;
  }

  private Policy write(PolicyShape shape, String name) {
    int nth = written.merge(shape, 1, Integer::sum) - 1;
    List<NamespacePlan> tenants = layout.tenantNamespaces();
    NamespacePlan namespace = switch (shape) {
      case DEFAULT_DENY, DNS_EGRESS -> tenants.get(nth % tenants.size());
      default -> tenants.get(random.nextInt(tenants.size()));
    };
    ObjectRef ref = ObjectRef.of(namespace.name(), name);
    return switch (shape) {
      case DEFAULT_DENY -> defaultDeny(ref, namespace, nth < tenants.size());
      case DNS_EGRESS -> egress(ref, LabelSelector.EVERYTHING, new Rule(
          ImmutableList.of(new PeerSelector(namespaceNamed(ClusterLayout.DNS_NAMESPACE),
              labels("k8s-app", "kube-dns"))),
          ImmutableList.of(PortRange.single(Protocol.UDP, 53),
              PortRange.single(Protocol.TCP, 53))));
      case APP_TO_APP -> appToApp(ref, namespace);
      case NAMESPACE_ISOLATION -> ingress(ref, LabelSelector.EVERYTHING, new Rule(
          ImmutableList.of(PeerSelector.inNamespace(namespace.name(), LabelSelector.EVERYTHING),
              new PeerSelector(NamespaceScope.matching(labels("team", namespace.team())),
                  LabelSelector.EVERYTHING)),
          ImmutableList.of()));
      case NAMESPACE_AND_POD -> {
        App target = anyApp(namespace);
        yield ingress(ref, appSelector(target), new Rule(
            ImmutableList.of(new PeerSelector(
                NamespaceScope.matching(labels("env", namespace.env())),
                labels("tier", "frontend"))),
            ImmutableList.of(firstPortByName(target))));
      }
      case IP_BLOCK_EGRESS -> egress(ref, appSelector(anyApp(namespace)), externalRule());
      case NAMED_PORT_INGRESS -> ingress(ref, appSelector(anyApp(namespace)), new Rule(
          ImmutableList.of(new PeerSelector(namespaceNamed(ClusterLayout.MONITORING_NAMESPACE),
              labels("app", App.PROMETHEUS.label))),
          ImmutableList.of(new NamedPort(Protocol.TCP, "metrics"))));
      case MATCH_EXPRESSIONS -> matchExpressions(ref, namespace);
    };
  }

  private static Policy defaultDeny(ObjectRef ref, NamespacePlan namespace, boolean firstRound) {
    // the first policy of a namespace denies ingress (prod: egress too); a second one, written
    // when there are more default-deny policies than namespaces, denies egress on its own
    Set<Direction> types = !firstRound
        ? Set.of(Direction.EGRESS)
        : namespace.env().equals("prod")
            ? Set.of(Direction.INGRESS, Direction.EGRESS)
            : Set.of(Direction.INGRESS);
    return Policy.of(ref, LabelSelector.EVERYTHING, types, List.of(), List.of());
  }

  private Policy appToApp(ObjectRef ref, NamespacePlan namespace) {
    App server = anyApp(namespace);
    App client = anyApp(namespace);
    List<PortMatcher> ports = new ArrayList<>();
    // half of the authors name the port, the other half write its number
    boolean byName = random.nextBoolean();
    for (ContainerPort port : server.ports) {
      if (!"metrics".equals(port.name())) {
        ports.add(byName ? new NamedPort(port.protocol(), port.name())
            : PortRange.single(port.protocol(), port.port()));
      }
    }
    if (random.nextInt(4) == 0) {
      Rule toServer = new Rule(ImmutableList.of(
          PeerSelector.inNamespace(namespace.name(), appSelector(server))), ImmutableList.copyOf(ports));
      return egress(ref, appSelector(client), toServer);
    }
    Rule fromClient = new Rule(ImmutableList.of(
        PeerSelector.inNamespace(namespace.name(), appSelector(client))), ImmutableList.copyOf(ports));
    return ingress(ref, appSelector(server), fromClient);
  }

  private Rule externalRule() {
    int variant = random.nextInt(3);
    int partner = random.nextInt(512);
    if (variant == 0) {
      return new Rule(ImmutableList.of(IpBlock.of(Cidr.parse("0.0.0.0/0"), PRIVATE_RANGES)),
          ImmutableList.of(PortRange.single(Protocol.TCP, 443)));
    }
    if (variant == 1) {
      // a partner network in the benchmarking range 198.18.0.0/15, minus its management /28
      String network = "198." + (18 + partner / 256) + "." + (partner % 256);
      return new Rule(ImmutableList.of(IpBlock.of(Cidr.parse(network + ".0/24"),
          List.of(Cidr.parse(network + ".240/28")))),
          ImmutableList.of(PortRange.single(Protocol.TCP, 5432)));
    }
    String network = "2001:db8:" + Integer.toHexString(partner);
    return new Rule(ImmutableList.of(IpBlock.of(Cidr.parse(network + "::/48"),
        List.of(Cidr.parse(network + ":ff::/64")))),
        ImmutableList.of(new PortRange(Protocol.TCP, 8000, 8099)));
  }

  private Policy matchExpressions(ObjectRef ref, NamespacePlan namespace) {
    App first = anyApp(namespace);
    App second = anyApp(namespace);
    LabelSelector targets = LabelSelector.of(Map.of(), List.of(
        requirement("app", Operator.IN, first.label, second.label),
        requirement("version", Operator.EXISTS)));
    LabelSelector namespaces = LabelSelector.of(Map.of(), List.of(
        requirement("env", Operator.NOT_IN, "dev"),
        requirement("team", Operator.IN, namespace.team(), "platform")));
    LabelSelector clients = LabelSelector.of(Map.of(), List.of(
        requirement("tier", Operator.IN, "frontend", "backend"),
        requirement("quarantine", Operator.DOES_NOT_EXIST)));
    return ingress(ref, targets, new Rule(
        ImmutableList.of(new PeerSelector(NamespaceScope.matching(namespaces), clients)),
        ImmutableList.of()));
  }

  private App anyApp(NamespacePlan namespace) {
    List<Workload> workloads = layout.workloads().get(namespace);
    return workloads.get(random.nextInt(workloads.size())).app();
  }

  private static PortMatcher firstPortByName(App app) {
    ContainerPort port = app.ports.get(0);
    return new NamedPort(port.protocol(), port.name());
  }

  private static Policy ingress(ObjectRef ref, LabelSelector targets, Rule rule) {
    return Policy.of(ref, targets, Set.of(Direction.INGRESS), List.of(rule), List.of());
  }

  private static Policy egress(ObjectRef ref, LabelSelector targets, Rule rule) {
    return Policy.of(ref, targets, Set.of(Direction.EGRESS), List.of(), List.of(rule));
  }

  private static LabelSelector appSelector(App app) {
    return labels("app", app.label);
  }

  private static LabelSelector labels(String key, String value) {
    return LabelSelector.of(Map.of(key, value));
  }

  private static NamespaceScope namespaceNamed(String name) {
    return NamespaceScope.matching(labels(Namespace.NAME_LABEL, name));
  }

  private static LabelRequirement requirement(String key, Operator operator, String... values) {
    return new LabelRequirement(key, operator, ImmutableSortedSet.copyOf(values));
  }
}
