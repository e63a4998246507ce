package dev.palisade.k8s;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import dev.palisade.model.Cidr;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.IpBlock;
import dev.palisade.model.IpFamily;
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
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one place where fabric8 model objects become policy-model values. Everything the API
 * server would reject (and that the model cannot represent) is refused with an
 * {@link InvalidInputException} naming the object and the field; the caller adds the file.
 * Stateless and thread-safe.
 */
public final class ModelConverter {

  public Namespace namespace(io.fabric8.kubernetes.api.model.Namespace manifest) {
    return Namespace.of(requireName(manifest), labels(manifest));
  }

  public Pod pod(io.fabric8.kubernetes.api.model.Pod manifest) {
    ObjectRef ref = ref(manifest);
    Context context = new Context(ObjectKey.of(manifest).toString());
    var spec = manifest.getSpec();
    var status = manifest.getStatus();
    return new Pod(ref, ImmutableSortedMap.copyOf(labels(manifest)),
        status == null ? ImmutableList.of() : podIps(status, context),
        spec == null ? null : spec.getNodeName(),
        spec == null ? ImmutableList.of() : containerPorts(spec.getContainers(), context),
        phase(status, context),
        spec != null && Boolean.TRUE.equals(spec.getHostNetwork()));
  }

  public Policy networkPolicy(NetworkPolicy manifest) {
    ObjectRef ref = ref(manifest);
    Context context = new Context(ObjectKey.of(manifest).toString());
    NetworkPolicySpec spec = specOf(manifest);
    FieldPath specPath = FieldPath.of("spec");
    List<Rule> ingress = new ArrayList<>();
    List<NetworkPolicyIngressRule> ingressRules = nonNull(spec.getIngress());
    for (int i = 0; i < ingressRules.size(); i++) {
      FieldPath path = specPath.field("ingress").index(i);
      NetworkPolicyIngressRule rule = ingressRules.get(i);
      ingress.add(new Rule(peers(rule.getFrom(), path.field("from"), ref, context),
          ports(rule.getPorts(), path.field("ports"), context)));
    }
    List<Rule> egress = new ArrayList<>();
    List<NetworkPolicyEgressRule> egressRules = nonNull(spec.getEgress());
    for (int i = 0; i < egressRules.size(); i++) {
      FieldPath path = specPath.field("egress").index(i);
      NetworkPolicyEgressRule rule = egressRules.get(i);
      egress.add(new Rule(peers(rule.getTo(), path.field("to"), ref, context),
          ports(rule.getPorts(), path.field("ports"), context)));
    }
    // An absent podSelector is Go's zero value, the empty selector: every pod.
    LabelSelector podSelector = selector(spec.getPodSelector(), specPath.field("podSelector"),
        context);
    return Policy.of(ref, podSelector, policyTypes(spec, specPath, context), ingress, egress);
  }

  /**
   * What Palisade enforces for a policy that {@link #networkPolicy} refuses: fail closed, never
   * open. The pods its podSelector selects are isolated in the directions it declares
   * (policyTypes, or their defaulting) and the policy allows nothing, so those pods get only what
   * other policies allow. A podSelector or policyTypes that cannot be read itself widens to what
   * isolates most: every pod of the namespace, both directions.
   */
  public Policy failClosed(NetworkPolicy manifest) {
    ObjectRef ref = ref(manifest);
    Context context = new Context(ObjectKey.of(manifest).toString());
    NetworkPolicySpec spec = specOf(manifest);
    FieldPath specPath = FieldPath.of("spec");
    LabelSelector podSelector;
    try {
      podSelector = selector(spec.getPodSelector(), specPath.field("podSelector"), context);
    } catch (InvalidInputException e) {
      podSelector = LabelSelector.EVERYTHING;
    }
    Set<Direction> types;
    try {
      types = policyTypes(spec, specPath, context);
    } catch (InvalidInputException e) {
      types = EnumSet.allOf(Direction.class);
    }
    return Policy.of(ref, podSelector, types, List.of(), List.of());
  }

  private static NetworkPolicySpec specOf(NetworkPolicy manifest) {
    return manifest.getSpec() == null ? new NetworkPolicySpec() : manifest.getSpec();
  }

  // ------------------------------------------------------------------ metadata

  private static ObjectRef ref(HasMetadata manifest) {
    ObjectKey key = ObjectKey.of(manifest);
    return ObjectRef.of(key.namespace(), requireName(manifest));
  }

  private static String requireName(HasMetadata manifest) {
    String name = manifest.getMetadata() == null ? null : manifest.getMetadata().getName();
    if (name == null || name.isEmpty()) {
      throw InvalidInputException.inObject(ObjectKey.of(manifest).toString(),
          FieldPath.of("metadata.name"), "must be set");
    }
    return name;
  }

  private static Map<String, String> labels(HasMetadata manifest) {
    return withoutNullValues(manifest.getMetadata().getLabels());
  }

  /**
   * kube-apiserver drops a label whose value is null ({@code team:} with nothing after it), as if
   * it were absent; so does Palisade, in labels and in matchLabels.
   */
  private static Map<String, String> withoutNullValues(Map<String, String> labels) {
    Map<String, String> present = new HashMap<>();
    if (labels != null) {
      labels.forEach((key, value) -> {
        if (value != null) {
          present.put(key, value);
        }
      });
    }
    return present;
  }

  // ---------------------------------------------------------------------- pods

  private static ImmutableList<InetAddress> podIps(
      io.fabric8.kubernetes.api.model.PodStatus status, Context context) {
    List<String> written = new ArrayList<>();
    FieldPath listPath = FieldPath.of("status.podIPs");
    List<PodIP> podIps = nonNull(status.getPodIPs());
    podIps.forEach(podIp -> written.add(podIp.getIp()));
    if (written.isEmpty() && status.getPodIP() != null && !status.getPodIP().isEmpty()) {
      written.add(status.getPodIP());
      listPath = null;
    }
    List<InetAddress> ips = new ArrayList<>();
    Set<IpFamily> families = EnumSet.noneOf(IpFamily.class);
    for (int i = 0; i < written.size(); i++) {
      FieldPath path = listPath == null ? FieldPath.of("status.podIP")
          : listPath.index(i).field("ip");
      String text = written.get(i);
      if (text == null || !InetAddresses.isInetAddress(text)) {
        throw context.error(path, "'" + text + "' is not an IP address");
      }
      InetAddress ip = InetAddresses.forString(text);
      if (!families.add(IpFamily.of(ip))) {
        throw context.error(path, "a pod has at most one IPv" + IpFamily.of(ip).number()
            + " address");
      }
      ips.add(ip);
    }
    return ImmutableList.copyOf(ips);
  }

  private static ImmutableList<ContainerPort> containerPorts(List<Container> containers,
      Context context) {
    List<ContainerPort> ports = new ArrayList<>();
    List<Container> all = nonNull(containers);
    for (int c = 0; c < all.size(); c++) {
      var declared = nonNull(all.get(c).getPorts());
      for (int p = 0; p < declared.size(); p++) {
        FieldPath path = FieldPath.of("spec.containers").index(c).field("ports").index(p);
        var port = declared.get(p);
        Protocol protocol = protocol(port.getProtocol(), path.field("protocol"), context);
        Integer number = port.getContainerPort();
        if (number == null || number < 1 || number > 65535) {
          throw context.error(path.field("containerPort"),
              number == null ? "must be set" : number + " is out of range 1-65535");
        }
        ports.add(new ContainerPort(port.getName(), number, protocol));
      }
    }
    return ImmutableList.copyOf(ports);
  }

  /**
   * The API server sets Pending on every new pod; a manifest written by hand has no status at
   * all, and it means the same.
   */
  private static PodPhase phase(io.fabric8.kubernetes.api.model.PodStatus status,
      Context context) {
    String phase = status == null ? null : status.getPhase();
    if (phase == null || phase.isEmpty()) {
      return PodPhase.PENDING;
    }
    for (PodPhase candidate : PodPhase.values()) {
      if (apiName(candidate).equals(phase)) {
        return candidate;
      }
    }
    throw context.error(FieldPath.of("status.phase"), "unknown phase '" + phase
        + "'; expected Pending, Running, Succeeded, Failed or Unknown");
  }

  /** The API spelling of a phase: RUNNING is written Running. */
  public static String apiName(PodPhase phase) {
    String name = phase.name().toLowerCase(Locale.ROOT);
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  // ------------------------------------------------------------------ policies

  private static ImmutableSet<Direction> policyTypes(NetworkPolicySpec spec, FieldPath specPath,
      Context context) {
    List<String> written = nonNull(spec.getPolicyTypes());
    if (written.isEmpty()) {
      return Policy.defaultPolicyTypes(nonNull(spec.getEgress()).size());
    }
    Set<Direction> types = EnumSet.noneOf(Direction.class);
    for (int i = 0; i < written.size(); i++) {
      String type = written.get(i);
      if (Direction.INGRESS.title().equals(type)) {
        types.add(Direction.INGRESS);
      } else if (Direction.EGRESS.title().equals(type)) {
        types.add(Direction.EGRESS);
      } else {
        throw context.error(specPath.field("policyTypes").index(i),
            "unknown policy type '" + type + "'; expected Ingress or Egress");
      }
    }
    return ImmutableSet.copyOf(types);
  }

  /**
   * A peer with only podSelector looks in the policy's namespace; with only namespaceSelector it
   * takes every pod of the matching namespaces; with both, pods matching both (AND).
   */
  private static ImmutableList<Peer> peers(List<NetworkPolicyPeer> written, FieldPath listPath,
      ObjectRef policy, Context context) {
    List<Peer> peers = new ArrayList<>();
    List<NetworkPolicyPeer> all = nonNull(written);
    for (int i = 0; i < all.size(); i++) {
      FieldPath path = listPath.index(i);
      NetworkPolicyPeer peer = all.get(i);
      boolean hasSelector = peer.getPodSelector() != null || peer.getNamespaceSelector() != null;
      if (peer.getIpBlock() != null) {
        if (hasSelector) {
          throw context.error(path, "ipBlock cannot be combined with podSelector or "
              + "namespaceSelector in one peer");
        }
        peers.add(ipBlock(peer.getIpBlock(), path.field("ipBlock"), context));
      } else if (!hasSelector) {
        throw context.error(path,
            "a peer needs podSelector, namespaceSelector or ipBlock");
      } else {
        LabelSelector pods = peer.getPodSelector() == null ? LabelSelector.EVERYTHING
            : selector(peer.getPodSelector(), path.field("podSelector"), context);
        NamespaceScope namespaces = peer.getNamespaceSelector() == null
            ? NamespaceScope.named(policy.namespace())
            : NamespaceScope.matching(selector(peer.getNamespaceSelector(),
                path.field("namespaceSelector"), context));
        peers.add(new PeerSelector(namespaces, pods));
      }
    }
    return ImmutableList.copyOf(peers);
  }

  private static IpBlock ipBlock(io.fabric8.kubernetes.api.model.networking.v1.IPBlock block,
      FieldPath path, Context context) {
    Cidr cidr = cidr(block.getCidr(), path.field("cidr"), context);
    List<Cidr> except = new ArrayList<>();
    List<String> written = nonNull(block.getExcept());
    for (int i = 0; i < written.size(); i++) {
      except.add(cidr(written.get(i), path.field("except").index(i), context));
    }
    return IpBlock.of(cidr, except);
  }

  private static Cidr cidr(String text, FieldPath path, Context context) {
    if (text == null || text.isEmpty()) {
      throw context.error(path, "must be set");
    }
    try {
      return Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      if (hasLeadingZeros(text)) {
        throw context.error(path, e.getMessage() + " (an IPv4 address with a leading zero: "
            + "the API server accepts it with a warning and reads it as decimal, other tools "
            + "read it as octal; write it without leading zeros)").acceptedByApiServer();
      }
      throw context.error(path, e.getMessage());
    }
  }

  /**
   * Whether a CIDR is an IPv4 one but for leading zeros in its address, e.g. {@code 010.1.0.0/16}:
   * the API server's sloppy parser (netutils.ParseCIDRSloppy) accepts those.
   */
  private static boolean hasLeadingZeros(String cidr) {
    String address = cidr.split("/", 2)[0];
    String[] octets = address.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    StringBuilder canonical = new StringBuilder();
    for (String octet : octets) {
      if (!octet.matches("[0-9]{1,3}")) {
        return false;
      }
      canonical.append(canonical.isEmpty() ? "" : ".").append(Integer.parseInt(octet));
    }
    return !canonical.toString().equals(address)
        && InetAddresses.isInetAddress(canonical.toString());
  }

  private static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector written,
      FieldPath path, Context context) {
    if (written == null) {
      return LabelSelector.EVERYTHING;
    }
    Map<String, String> matchLabels = withoutNullValues(written.getMatchLabels());
    List<LabelRequirement> expressions = new ArrayList<>();
    List<LabelSelectorRequirement> requirements = nonNull(written.getMatchExpressions());
    for (int i = 0; i < requirements.size(); i++) {
      FieldPath expressionPath = path.field("matchExpressions").index(i);
      LabelSelectorRequirement requirement = requirements.get(i);
      LabelRequirement.Operator operator =
          LabelRequirement.Operator.fromApiName(requirement.getOperator());
      if (operator == null) {
        throw context.error(expressionPath.field("operator"), "unknown operator '"
            + requirement.getOperator() + "'; expected In, NotIn, Exists or DoesNotExist");
      }
      try {
        expressions.add(new LabelRequirement(requirement.getKey(), operator,
            ImmutableSortedSet.copyOf(nonNull(requirement.getValues()))));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw context.error(expressionPath, e.getMessage());
      }
    }
    return LabelSelector.of(matchLabels, expressions);
  }

  private static ImmutableList<PortMatcher> ports(
      List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort> written,
      FieldPath listPath, Context context) {
    List<PortMatcher> ports = new ArrayList<>();
    var all = nonNull(written);
    for (int i = 0; i < all.size(); i++) {
      ports.add(PolicyPortConverter.convert(all.get(i), listPath.index(i), context));
    }
    return ImmutableList.copyOf(ports);
  }

  static Protocol protocol(String written, FieldPath path, Context context) {
    if (written == null || written.isEmpty()) {
      return Protocol.TCP;
    }
    return Protocol.parsePolicyProtocol(written).orElseThrow(() -> context.error(path,
        "unknown protocol '" + written + "'; expected TCP, UDP or SCTP"));
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** The object being converted, so that every error names it. */
  record Context(String object) {
    InvalidInputException error(FieldPath field, String problem) {
      return InvalidInputException.inObject(object, field, problem);
    }
  }
}
