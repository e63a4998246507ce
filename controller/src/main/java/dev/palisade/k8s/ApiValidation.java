package dev.palisade.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What kube-apiserver's validation refuses in the fields Palisade reads, checked on manifests read
 * from files, so that the tools refuse what a cluster could never hold: names, label keys and
 * values, port names, protocols and CIDRs. Each message quotes the API's rule. Objects that come
 * from an API server have passed this validation already; the agent does not repeat it.
 * Stateless.
 */
final class ApiValidation {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL_NAME =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern PORT_NAME_CHARACTERS = Pattern.compile("[-a-z0-9]+");
  private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");

  private ApiValidation() {}

  /** @throws InvalidInputException naming the object, the field and the API's rule */
  static void check(HasMetadata object) {
    Context context = new Context(ObjectKey.of(object).toString());
    FieldPath metadata = FieldPath.of("metadata");
    String name = object.getMetadata() == null ? null : object.getMetadata().getName();
    if (name != null) {
      if (object instanceof Namespace) {
        dnsLabel(name, metadata.field("name"), context);
      } else {
        dnsSubdomain(name, metadata.field("name"), context);
      }
    }
    String namespace = object.getMetadata() == null ? null : object.getMetadata().getNamespace();
    if (namespace != null) {
      dnsLabel(namespace, metadata.field("namespace"), context);
    }
    if (object.getMetadata() != null) {
      labels(object.getMetadata().getLabels(), metadata.field("labels"), context);
    }
    if (object instanceof Pod pod && pod.getSpec() != null) {
      containers(pod.getSpec().getContainers(), context);
    } else if (object instanceof NetworkPolicy policy && policy.getSpec() != null) {
      networkPolicy(policy, context);
    }
  }

  private static void containers(List<Container> containers, Context context) {
    for (int c = 0; c < size(containers); c++) {
      List<ContainerPort> ports = containers.get(c).getPorts();
      for (int p = 0; p < size(ports); p++) {
        FieldPath path = FieldPath.of("spec.containers").index(c).field("ports").index(p);
        if (ports.get(p).getName() != null) {
          portName(ports.get(p).getName(), path.field("name"), context);
        }
        protocol(ports.get(p).getProtocol(), path.field("protocol"), context);
      }
    }
  }

  private static void networkPolicy(NetworkPolicy policy, Context context) {
    FieldPath spec = FieldPath.of("spec");
    var written = policy.getSpec();
    selector(written.getPodSelector(), spec.field("podSelector"), context);
    var ingress = written.getIngress();
    for (int i = 0; i < size(ingress); i++) {
      FieldPath rule = spec.field("ingress").index(i);
      peers(ingress.get(i).getFrom(), rule.field("from"), context);
      ports(ingress.get(i).getPorts(), rule.field("ports"), context);
    }
    var egress = written.getEgress();
    for (int i = 0; i < size(egress); i++) {
      FieldPath rule = spec.field("egress").index(i);
      peers(egress.get(i).getTo(), rule.field("to"), context);
      ports(egress.get(i).getPorts(), rule.field("ports"), context);
    }
  }

  private static void peers(List<NetworkPolicyPeer> peers, FieldPath path, Context context) {
    for (int i = 0; i < size(peers); i++) {
      NetworkPolicyPeer peer = peers.get(i);
      selector(peer.getPodSelector(), path.index(i).field("podSelector"), context);
      selector(peer.getNamespaceSelector(), path.index(i).field("namespaceSelector"), context);
      IPBlock block = peer.getIpBlock();
      if (block != null) {
        FieldPath blockPath = path.index(i).field("ipBlock");
        cidr(block.getCidr(), blockPath.field("cidr"), context);
        for (int e = 0; e < size(block.getExcept()); e++) {
          cidr(block.getExcept().get(e), blockPath.field("except").index(e), context);
        }
      }
    }
  }

  private static void ports(List<NetworkPolicyPort> ports, FieldPath path, Context context) {
    for (int i = 0; i < size(ports); i++) {
      NetworkPolicyPort port = ports.get(i);
      protocol(port.getProtocol(), path.index(i).field("protocol"), context);
      IntOrString number = port.getPort();
      if (number != null && number.getStrVal() != null) {
        portName(number.getStrVal(), path.index(i).field("port"), context);
      }
    }
  }

  private static void selector(LabelSelector selector, FieldPath path, Context context) {
    if (selector == null) {
      return;
    }
    labels(selector.getMatchLabels(), path.field("matchLabels"), context);
    List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
    for (int i = 0; i < size(expressions); i++) {
      FieldPath expression = path.field("matchExpressions").index(i);
      if (expressions.get(i).getKey() != null) {
        labelKey(expressions.get(i).getKey(), expression.field("key"), context);
      }
      List<String> values = expressions.get(i).getValues();
      for (int v = 0; v < size(values); v++) {
        labelValue(values.get(v), expression.field("values").index(v), context);
      }
    }
  }

  /** Null values are left alone: the API server drops them, as if the label were absent. */
  private static void labels(Map<String, String> labels, FieldPath path, Context context) {
    if (labels == null) {
      return;
    }
    labels.forEach((key, value) -> {
      labelKey(key, path.field(key), context);
      if (value != null) {
        labelValue(value, path.field(key), context);
      }
    });
  }

  private static void dnsLabel(String name, FieldPath path, Context context) {
    if (name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
      throw context.rejected(path, "'" + name + "' is not a lowercase RFC 1123 label: at most "
          + "63 lower case alphanumeric characters or '-', starting and ending with an "
          + "alphanumeric character");
    }
  }

  private static void dnsSubdomain(String name, FieldPath path, Context context) {
    if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      throw context.rejected(path, "'" + name + "' is not a lowercase RFC 1123 subdomain: at "
          + "most 253 lower case alphanumeric characters, '-' or '.', starting and ending with "
          + "an alphanumeric character");
    }
  }

  /** A qualified name: an optional DNS subdomain prefix and '/', then a name. */
  private static void labelKey(String key, FieldPath path, Context context) {
    int slash = key.lastIndexOf('/');
    String name = key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        throw context.rejected(path, "label key '" + key + "' has an invalid prefix: it must "
            + "be a lowercase RFC 1123 subdomain (e.g. example.com)");
      }
    }
    if (name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
      throw context.rejected(path, "'" + key + "' is not a valid label key: the name part "
          + "must be at most 63 alphanumeric characters, '-', '_' or '.', starting and ending "
          + "with an alphanumeric character");
    }
  }

  private static void labelValue(String value, FieldPath path, Context context) {
    if (value.length() > 63 || !(value.isEmpty() || LABEL_NAME.matcher(value).matches())) {
      throw context.rejected(path, "'" + value + "' is not a valid label value: it must be "
          + "empty or at most 63 alphanumeric characters, '-', '_' or '.', starting and ending "
          + "with an alphanumeric character");
    }
  }

  /** IANA_SVC_NAME (RFC 6335), which the API requires of every port name. */
  private static void portName(String name, FieldPath path, Context context) {
    String problem = null;
    if (name.length() > 15) {
      problem = "must be no more than 15 characters";
    } else if (!PORT_NAME_CHARACTERS.matcher(name).matches()) {
      problem = "must contain only lower case alphanumeric characters (a-z, 0-9) and hyphens";
    } else if (name.chars().noneMatch(Character::isLetter)) {
      problem = "must contain at least one letter (a-z)";
    } else if (name.startsWith("-") || name.endsWith("-")) {
      problem = "must not begin or end with a hyphen";
    } else if (name.contains("--")) {
      problem = "must not contain consecutive hyphens";
    }
    if (problem != null) {
      throw context.rejected(path, "port name '" + name + "' " + problem
          + " (IANA_SVC_NAME, RFC 6335)");
    }
  }

  /** Case matters to the API: {@code tcp} is an unsupported value. */
  private static void protocol(String protocol, FieldPath path, Context context) {
    if (protocol != null && !PROTOCOLS.contains(protocol)) {
      throw context.rejected(path, "unsupported value '" + protocol + "': supported values are "
          + "\"SCTP\", \"TCP\", \"UDP\"");
    }
  }

  /** An ipBlock needs a prefix length: a bare address is not a CIDR to the API. */
  private static void cidr(String cidr, FieldPath path, Context context) {
    if (cidr != null && !cidr.isEmpty() && !cidr.contains("/")) {
      throw context.rejected(path, "'" + cidr + "' must be a valid CIDR value with a prefix "
          + "length (e.g. 10.9.8.0/24 or 2001:db8::/64)");
    }
  }

  private static int size(List<?> list) {
    return list == null ? 0 : list.size();
  }

  private record Context(String object) {
    InvalidInputException rejected(FieldPath field, String problem) {
      return InvalidInputException.inObject(object, field, problem + "; the API server rejects it");
    }
  }
}
