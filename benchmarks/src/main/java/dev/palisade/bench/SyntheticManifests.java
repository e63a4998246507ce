package dev.palisade.bench;

import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.IpBlock;
import dev.palisade.model.LabelRequirement;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.NamespaceScope;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Rule;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * The synthetic cluster as the API objects a real API server serves, so that an agent that
 * watches them caches what it would cache in a real cluster. A pod carries, beside what the
 * model reads, what kubectl, the controllers and the kubelet add to every pod: managedFields,
 * annotations (kubectl's last-applied-configuration among them), an owner, env, volumes and
 * their mounts, resources, probes, tolerations, status conditions and container statuses;
 * about 5 KB of JSON, as a Deployment's pod in a real cluster.
 */
final class SyntheticManifests {
  private static final String CREATED = "2026-11-27T10:00:00Z";

  private SyntheticManifests() {}

  static Namespace namespace(dev.palisade.model.Namespace namespace) {
    return new NamespaceBuilder().withNewMetadata().withName(namespace.name())
        .withLabels(namespace.labels())
        .addToAnnotations("owner", "team-" + namespace.name())
        .endMetadata()
        .withNewSpec().addToFinalizers("kubernetes").endSpec()
        .withNewStatus().withPhase("Active").endStatus()
        .build();
  }

  static io.fabric8.kubernetes.api.model.Pod pod(Pod pod) {
    String name = pod.ref().name();
    String app = pod.labels().getOrDefault("app", name);
    PodBuilder builder = new PodBuilder().withNewMetadata()
        .withName(name).withNamespace(pod.ref().namespace())
        .withGenerateName(app + "-").withCreationTimestamp(CREATED)
        .withLabels(pod.labels())
        .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\""
                + app + "\",\"namespace\":\"" + pod.ref().namespace() + "\"},\"spec\":"
                + "{\"template\":{\"metadata\":{\"labels\":" + json(pod.labels()) + "}}}}")
        .addToAnnotations("prometheus.io/scrape", "true")
        .addToAnnotations("prometheus.io/port", "9090")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
        .withName(app + "-5d8f7c9b4").withUid("6f1c2a9e-0000-4000-8000-" + hex(name))
        .withController(true).withBlockOwnerDeletion(true).endOwnerReference()
        .addNewManagedField().withManager("kube-controller-manager").withOperation("Update")
        .withApiVersion("v1").withTime(CREATED).withFieldsType("FieldsV1")
        .withFieldsV1(fields(Map.of("f:metadata", Map.of("f:labels", labelFields(pod),
            "f:ownerReferences", Map.of(".", Map.of())),
            "f:spec", Map.of("f:containers", Map.of("k:{\"name\":\"main\"}", Map.of(
                ".", Map.of(), "f:env", Map.of(), "f:image", Map.of(), "f:ports", Map.of(),
                "f:resources", Map.of(), "f:volumeMounts", Map.of()))))))
        .endManagedField()
        .addNewManagedField().withManager("kubelet").withOperation("Update")
        .withApiVersion("v1").withTime(CREATED).withFieldsType("FieldsV1")
        .withSubresource("status")
        .withFieldsV1(fields(Map.of("f:status", Map.of("f:conditions", Map.of(),
            "f:containerStatuses", Map.of(), "f:hostIP", Map.of(), "f:phase", Map.of(),
            "f:podIP", Map.of(), "f:podIPs", Map.of(), "f:startTime", Map.of()))))
        .endManagedField()
        .endMetadata();
    ContainerBuilder main = new ContainerBuilder().withName("main")
        .withImage("registry.example.com/" + app + ":1.24.3")
        .withArgs("--listen=:8080", "--log-format=json")
        .addNewEnv().withName("APP").withValue(app).endEnv()
        .addNewEnv().withName("LOG_LEVEL").withValue("info").endEnv()
        .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef()
        .withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
        .withNewResources().addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("128Mi"))
        .addToLimits("memory", new Quantity("256Mi")).endResources()
        .addNewVolumeMount().withName("config").withMountPath("/etc/" + app).endVolumeMount()
        .addNewVolumeMount().withName("kube-api-access").withMountPath(
            "/var/run/secrets/kubernetes.io/serviceaccount").withReadOnly(true).endVolumeMount()
        .withNewReadinessProbe().withNewHttpGet().withPath("/ready")
        .withPort(new IntOrString(8080)).endHttpGet().withPeriodSeconds(10).endReadinessProbe()
        .withTerminationMessagePath("/dev/termination-log")
        .withImagePullPolicy("IfNotPresent");
    for (ContainerPort port : pod.ports()) {
      main.addNewPort().withName(port.name()).withContainerPort(port.port())
          .withProtocol(port.protocol().name()).endPort();
    }
    builder.withNewSpec().withNodeName(pod.nodeName()).withHostNetwork(pod.hostNetwork())
        .withServiceAccountName("default").withRestartPolicy("Always")
        .withDnsPolicy("ClusterFirst").withSchedulerName("default-scheduler")
        .withTerminationGracePeriodSeconds(30L)
        .addToContainers(main.build())
        .addNewVolume().withName("config").withNewConfigMap().withName(app + "-config")
        .endConfigMap().endVolume()
        .addNewVolume().withName("kube-api-access").withNewProjected()
        .addNewSource().withNewServiceAccountToken().withPath("token")
        .withExpirationSeconds(3607L).endServiceAccountToken().endSource()
        .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem()
        .withKey("ca.crt").withPath("ca.crt").endItem().endConfigMap().endSource()
        .endProjected().endVolume()
        .addNewToleration().withKey("node.kubernetes.io/not-ready").withOperator("Exists")
        .withEffect("NoExecute").withTolerationSeconds(300L).endToleration()
        .addNewToleration().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
        .withEffect("NoExecute").withTolerationSeconds(300L).endToleration()
        .endSpec();
    builder.withNewStatus().withPhase(ModelConverter.apiName(pod.phase())).withHostIP("192.168.0.1")
        .withQosClass("Burstable").withStartTime(CREATED)
        .addNewCondition().withType("Initialized").withStatus("True")
        .withLastTransitionTime(CREATED).endCondition()
        .addNewCondition().withType("Ready").withStatus("True")
        .withLastTransitionTime(CREATED).endCondition()
        .addNewCondition().withType("ContainersReady").withStatus("True")
        .withLastTransitionTime(CREATED).endCondition()
        .addNewCondition().withType("PodScheduled").withStatus("True")
        .withLastTransitionTime(CREATED).endCondition()
        .addNewContainerStatus().withName("main").withReady(true).withRestartCount(0)
        .withImage("registry.example.com/" + app + ":1.24.3")
        .withImageID("registry.example.com/" + app + "@sha256:" + hex(app).repeat(4))
        .withContainerID("containerd://" + hex(name).repeat(5)).withStarted(true)
        .withNewState().withNewRunning().withStartedAt(CREATED).endRunning().endState()
        .endContainerStatus().endStatus();
    if (!pod.ips().isEmpty()) {
      builder.editStatus().withPodIP(pod.ips().get(0).getHostAddress()).endStatus();
      for (InetAddress ip : pod.ips()) {
        builder.editStatus().addNewPodIP().withIp(ip.getHostAddress()).endPodIP().endStatus();
      }
    }
    return builder.build();
  }

  static NetworkPolicy networkPolicy(Policy policy) {
    return new NetworkPolicyBuilder().withNewMetadata().withName(policy.ref().name())
        .withNamespace(policy.ref().namespace()).endMetadata()
        .withNewSpec().withPodSelector(selector(policy.podSelector()))
        .withPolicyTypes(policy.policyTypes().stream().map(Direction::title).toList())
        .withIngress(policy.ingress().stream().map(rule -> new NetworkPolicyIngressRuleBuilder()
            .withFrom(peers(rule)).withPorts(ports(rule)).build()).toList())
        .withEgress(policy.egress().stream().map(rule -> new NetworkPolicyEgressRuleBuilder()
            .withTo(peers(rule)).withPorts(ports(rule)).build()).toList())
        .endSpec().build();
  }

  private static List<NetworkPolicyPeer> peers(Rule rule) {
    return rule.peers().stream().map(SyntheticManifests::peer).toList();
  }

  private static NetworkPolicyPeer peer(Peer peer) {
    NetworkPolicyPeerBuilder written = new NetworkPolicyPeerBuilder();
    if (peer instanceof IpBlock block) {
      return written.withNewIpBlock().withCidr(block.cidr().toString())
          .withExcept(block.except().stream().map(Object::toString).toList()).endIpBlock()
          .build();
    }
    PeerSelector selector = (PeerSelector) peer;
    if (selector.namespaces() instanceof NamespaceScope.Matching matching) {
      written.withNamespaceSelector(selector(matching.selector()));
      if (!selector.pods().matchesEverything()) {
        written.withPodSelector(selector(selector.pods()));
      }
    } else {
      written.withPodSelector(selector(selector.pods()));
    }
    return written.build();
  }

  private static List<NetworkPolicyPort> ports(Rule rule) {
    return rule.ports().stream().map(SyntheticManifests::port).toList();
  }

  private static NetworkPolicyPort port(PortMatcher matcher) {
    String protocol = matcher.protocol().name();
    if (matcher instanceof PortMatcher.PortRange range) {
      return new NetworkPolicyPort(range.isSingle() ? null : range.endPort(),
          new IntOrString(range.port()), protocol);
    }
    if (matcher instanceof PortMatcher.NamedPort named) {
      return new NetworkPolicyPort(null, new IntOrString(named.name()), protocol);
    }
    return new NetworkPolicyPort(null, null, protocol);
  }

  private static io.fabric8.kubernetes.api.model.LabelSelector selector(LabelSelector selector) {
    LabelSelectorBuilder written = new LabelSelectorBuilder()
        .withMatchLabels(selector.matchLabels());
    for (LabelRequirement requirement : selector.expressions()) {
      written.addToMatchExpressions(new LabelSelectorRequirement(requirement.key(),
          requirement.operator().apiName(), List.copyOf(requirement.values())));
    }
    return written.build();
  }

  /** managedFields' field set: a tree of "f:name" keys, as the API server writes it. */
  private static FieldsV1 fields(Map<String, Object> tree) {
    FieldsV1 fields = new FieldsV1();
    tree.forEach(fields::setAdditionalProperty);
    return fields;
  }

  private static Map<String, Object> labelFields(Pod pod) {
    Map<String, Object> fields = new java.util.TreeMap<>();
    pod.labels().keySet().forEach(key -> fields.put("f:" + key, Map.of()));
    return fields;
  }

  private static String json(Map<String, String> labels) {
    StringBuilder text = new StringBuilder("{");
    labels.forEach((key, value) -> text.append(text.length() > 1 ? "," : "")
        .append('"').append(key).append("\":\"").append(value).append('"'));
    return text.append('}').toString();
  }

  /** Twelve hex digits derived from a name, as a stand-in for uids and digests. */
  private static String hex(String name) {
    return String.format("%012x", name.hashCode() & 0xffffffffffffL);
  }
}
