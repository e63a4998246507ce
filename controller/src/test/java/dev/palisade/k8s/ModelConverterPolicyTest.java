package dev.palisade.k8s;

import static dev.palisade.model.testing.Builders.anyPort;
import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.named;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.peer;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.range;
import static dev.palisade.model.testing.Builders.requirement;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static dev.palisade.model.testing.Builders.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.model.Direction;
import dev.palisade.model.LabelRequirement.Operator;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Protocol;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelConverterPolicyTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private final ModelConverter converter = new ModelConverter();

  /** A NetworkPolicy x/p with the given spec (YAML, indented as the value of "spec:"). */
  static NetworkPolicy policyYaml(String spec) {
    return SERIALIZATION.unmarshal("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: x}
        spec:
        """ + spec.indent(2), NetworkPolicy.class);
  }

  static Stream<Arguments> conversions() {
    return Stream.of(
        Arguments.of("policyTypes absent, no egress: Ingress only", """
            podSelector: {}
            """, policy("p").in("x").build()),
        Arguments.of("policyTypes absent, egress rules: Ingress and Egress", """
            podSelector: {}
            egress: [{}]
            """, policy("p").in("x").egress(rule()).build()),
        Arguments.of("policyTypes absent, egress: [] stays Ingress only", """
            podSelector: {}
            egress: []
            """, policy("p").in("x").build()),
        Arguments.of("explicit policyTypes", """
            podSelector: {}
            policyTypes: [Egress]
            """, policy("p").in("x").types(Direction.EGRESS).build()),
        Arguments.of("podSelector absent selects every pod", """
            policyTypes: [Ingress]
            """, policy("p").in("x").types(Direction.INGRESS).build()),
        Arguments.of("podSelector matchLabels", """
            podSelector: {matchLabels: {app: web}}
            """, policy("p").in("x").select(selector("app", "web")).build()),
        Arguments.of("ingress: [{}] allows all", """
            podSelector: {}
            ingress: [{}]
            """, policy("p").in("x").ingress(rule()).build()),
        Arguments.of("empty from and ports allow all", """
            podSelector: {}
            ingress: [{from: [], ports: []}]
            """, policy("p").in("x").ingress(rule()).build()),
        Arguments.of("peer with podSelector only: the policy's namespace", """
            podSelector: {}
            ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
            """, policy("p").in("x").ingress(rule().peers(podPeer("x", selector("pod", "b"))))
            .build()),
        Arguments.of("peer with namespaceSelector only: every pod there", """
            podSelector: {}
            ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}]}]
            """, policy("p").in("x").ingress(rule().peers(namespacePeer(selector("team", "a"))))
            .build()),
        Arguments.of("both selectors in one peer: AND", """
            podSelector: {}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: a}}
                    podSelector: {matchLabels: {pod: b}}
            """, policy("p").in("x").ingress(rule().peers(
                peer(selector("team", "a"), selector("pod", "b")))).build()),
        Arguments.of("two peers: OR", """
            podSelector: {}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: a}}
                  - podSelector: {matchLabels: {pod: b}}
            """, policy("p").in("x").ingress(rule().peers(namespacePeer(selector("team", "a")),
                podPeer("x", selector("pod", "b")))).build()),
        Arguments.of("matchExpressions, every operator", """
            podSelector:
              matchExpressions:
                - {key: a, operator: In, values: [1, 2]}
                - {key: b, operator: NotIn, values: [3]}
                - {key: c, operator: Exists}
                - {key: d, operator: DoesNotExist}
            """, policy("p").in("x").select(selector(requirement("a", Operator.IN, "1", "2"),
                requirement("b", Operator.NOT_IN, "3"), requirement("c", Operator.EXISTS),
                requirement("d", Operator.DOES_NOT_EXIST))).build()),
        Arguments.of("ipBlock with except, host bits kept", """
            podSelector: {}
            policyTypes: [Egress]
            egress: [{to: [{ipBlock: {cidr: 10.244.1.11/4, except: [10.244.1.12/32]}}]}]
            """, policy("p").in("x").types(Direction.EGRESS)
            .egress(rule().peers(ipBlock("10.244.1.11/4", "10.244.1.12/32"))).build()),
        Arguments.of("IPv6 ipBlock", """
            podSelector: {}
            ingress: [{from: [{ipBlock: {cidr: "fd00::/64"}}]}]
            """, policy("p").in("x").ingress(rule().peers(ipBlock("fd00::/64"))).build()),
        Arguments.of("port protocol defaults to TCP", """
            podSelector: {}
            ingress: [{ports: [{port: 80}]}]
            """, policy("p").in("x").ingress(rule().ports(tcp(80))).build()),
        Arguments.of("UDP port", """
            podSelector: {}
            ingress: [{ports: [{port: 53, protocol: UDP}]}]
            """, policy("p").in("x").ingress(rule().ports(udp(53))).build()),
        Arguments.of("endPort makes a range", """
            podSelector: {}
            ingress: [{ports: [{port: 8000, endPort: 8080, protocol: SCTP}]}]
            """, policy("p").in("x").ingress(rule().ports(range(Protocol.SCTP, 8000, 8080)))
            .build()),
        Arguments.of("named port", """
            podSelector: {}
            ingress: [{ports: [{port: serve-80-tcp}]}]
            """, policy("p").in("x").ingress(rule().ports(named(Protocol.TCP, "serve-80-tcp")))
            .build()),
        Arguments.of("ports: [{}] is every TCP port", """
            podSelector: {}
            ingress: [{ports: [{}]}]
            """, policy("p").in("x").ingress(rule().ports(anyPort(Protocol.TCP))).build()),
        Arguments.of("protocol without port is every port of it", """
            podSelector: {}
            ingress: [{ports: [{protocol: UDP}]}]
            """, policy("p").in("x").ingress(rule().ports(anyPort(Protocol.UDP))).build()),
        Arguments.of("endPort next to a name matches nothing", """
            podSelector: {}
            ingress: [{ports: [{port: web, endPort: 90}]}]
            """, policy("p").in("x").ingress(rule().ports(
                new PortMatcher.NamedPort(Protocol.TCP, "web", true))).build()),
        Arguments.of("egress rule with peers and ports", """
            podSelector: {}
            policyTypes: [Ingress, Egress]
            egress: [{to: [{podSelector: {}}], ports: [{port: 81}]}]
            """, policy("p").in("x").types(Direction.INGRESS, Direction.EGRESS)
            .egress(rule().peers(podPeer("x", LabelSelector.EVERYTHING)).ports(tcp(81))).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void convertsAsTheApiDefines(String name, String spec, Policy expected) {
    assertThat(converter.networkPolicy(policyYaml(spec))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void aPolicyWithoutNamespaceLandsInDefault(String name, String spec, Policy ignored) {
    NetworkPolicy policy = policyYaml(spec);
    policy.getMetadata().setNamespace(null);
    assertThat(converter.networkPolicy(policy).ref().namespace()).isEqualTo("default");
  }

  static Stream<Arguments> invalidPolicies() {
    return Stream.of(
        Arguments.of("invalid CIDR", """
            ingress: [{from: [{podSelector: {}}, {ipBlock: {cidr: 10.0.0/8}}]}]
            """, "NetworkPolicy x/p: spec.ingress[0].from[1].ipBlock.cidr: '10.0.0/8' is not a "
            + "valid CIDR"),
        Arguments.of("CIDR prefix out of range", """
            egress: [{to: [{ipBlock: {cidr: 10.0.0.0/33}}]}]
            """, "NetworkPolicy x/p: spec.egress[0].to[0].ipBlock.cidr: '10.0.0.0/33' is not a "
            + "valid CIDR: prefix 33 is out of range 0-32"),
        Arguments.of("invalid except", """
            ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, nope]}}]}]
            """, "NetworkPolicy x/p: spec.ingress[0].from[0].ipBlock.except[1]: 'nope' is not a "
            + "valid CIDR"),
        Arguments.of("ipBlock without cidr", """
            ingress: [{from: [{ipBlock: {except: [10.1.0.0/16]}}]}]
            """, "NetworkPolicy x/p: spec.ingress[0].from[0].ipBlock.cidr: must be set"),
        Arguments.of("ipBlock with a selector", """
            ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]
            """, "NetworkPolicy x/p: spec.ingress[0].from[0]: ipBlock cannot be combined"),
        Arguments.of("empty peer", """
            ingress: [{from: [{}]}]
            """, "NetworkPolicy x/p: spec.ingress[0].from[0]: a peer needs podSelector, "
            + "namespaceSelector or ipBlock"),
        Arguments.of("unknown protocol", """
            ingress: [{ports: [{port: 80}, {port: 80, protocol: ICMP}]}]
            """, "NetworkPolicy x/p: spec.ingress[0].ports[1].protocol: unknown protocol 'ICMP'; "
            + "expected TCP, UDP or SCTP"),
        Arguments.of("endPort below port", """
            egress: [{ports: [{port: 80, endPort: 79}]}]
            """, "NetworkPolicy x/p: spec.egress[0].ports[0].endPort: endPort 79 is less than "
            + "port 80"),
        Arguments.of("endPort out of range", """
            egress: [{ports: [{port: 80, endPort: 65536}]}]
            """, "NetworkPolicy x/p: spec.egress[0].ports[0].endPort: 65536 is out of range "
            + "1-65535"),
        Arguments.of("endPort without port", """
            egress: [{ports: [{endPort: 90}]}]
            """, "NetworkPolicy x/p: spec.egress[0].ports[0].endPort: may not be set without port"),
        Arguments.of("port zero", """
            ingress: [{ports: [{port: 0}]}]
            """, "NetworkPolicy x/p: spec.ingress[0].ports[0].port: 0 is out of range 1-65535"),
        Arguments.of("port above range", """
            ingress: [{ports: [{port: 70000}]}]
            """, "NetworkPolicy x/p: spec.ingress[0].ports[0].port: 70000 is out of range "
            + "1-65535"),
        Arguments.of("quoted number is not a name", """
            ingress: [{ports: [{port: "80"}]}]
            """, "NetworkPolicy x/p: spec.ingress[0].ports[0].port: '80' is not a port name"),
        Arguments.of("unknown operator", """
            ingress:
              - from:
                  - namespaceSelector:
                      matchExpressions: [{key: a, operator: Equals, values: [b]}]
            """, "NetworkPolicy x/p: spec.ingress[0].from[0].namespaceSelector"
            + ".matchExpressions[0].operator: unknown operator 'Equals'"),
        Arguments.of("In without values", """
            podSelector:
              matchExpressions: [{key: a, operator: In}]
            """, "NetworkPolicy x/p: spec.podSelector.matchExpressions[0]: operator In on key a "
            + "needs at least one value"),
        Arguments.of("unknown policy type", """
            policyTypes: [Ingress, Both]
            """, "NetworkPolicy x/p: spec.policyTypes[1]: unknown policy type 'Both'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPolicies")
  void refusesInvalidPoliciesNamingObjectAndField(String name, String spec, String message) {
    assertThatThrownBy(() -> converter.networkPolicy(policyYaml(spec)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(message);
  }

  static Stream<Arguments> failClosedStandIns() {
    return Stream.of(
        Arguments.of("a leading zero, which the API server accepts with a warning", """
            podSelector: {matchLabels: {pod: a}}
            ingress: [{from: [{ipBlock: {cidr: 010.1.0.0/16}}]}]
            egress: [{}]
            """, policy("p").in("x").select(selector("pod", "a"))
            .types(Direction.INGRESS, Direction.EGRESS).build()),
        Arguments.of("written policyTypes are kept", """
            podSelector: {matchLabels: {pod: a}}
            policyTypes: [Egress]
            egress: [{ports: [{port: 80, protocol: ICMP}]}]
            """, policy("p").in("x").select(selector("pod", "a")).types(Direction.EGRESS)
            .build()),
        Arguments.of("an unreadable podSelector widens to the whole namespace", """
            podSelector: {matchExpressions: [{key: a, operator: Equals, values: [b]}]}
            policyTypes: [Ingress]
            """, policy("p").in("x").types(Direction.INGRESS).build()),
        Arguments.of("unreadable policyTypes widen to both directions", """
            podSelector: {matchLabels: {pod: a}}
            policyTypes: [Ingress, Both]
            """, policy("p").in("x").select(selector("pod", "a"))
            .types(Direction.INGRESS, Direction.EGRESS).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failClosedStandIns")
  void aRefusedPolicyIsEnforcedAsItsSelectorAndTypesWithoutRules(String name, String spec,
      Policy expected) {
    assertThatThrownBy(() -> converter.networkPolicy(policyYaml(spec)))
        .isInstanceOf(InvalidInputException.class);
    assertThat(converter.failClosed(policyYaml(spec))).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void aLeadingZeroIsRefusedAsSomethingTheApiServerStores() {
    assertThatThrownBy(() -> converter.networkPolicy(policyYaml(
        "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [010.1.0.0/16]}}]}]\n")))
        .isInstanceOfSatisfying(InvalidInputException.class, refusal -> {
          assertThat(refusal.isAcceptedByApiServer()).isTrue();
          assertThat(refusal.getMessage()).startsWith("NetworkPolicy x/p: spec.ingress[0]"
              + ".from[0].ipBlock.except[0]: '010.1.0.0/16' is not a valid CIDR");
        });
    assertThatThrownBy(() -> converter.networkPolicy(policyYaml(
        "ingress: [{from: [{ipBlock: {cidr: 10.0.0/8}}]}]\n")))
        .isInstanceOfSatisfying(InvalidInputException.class,
            refusal -> assertThat(refusal.isAcceptedByApiServer()).isFalse());
  }

  @org.junit.jupiter.api.Test
  void aPolicyNeedsAName() {
    NetworkPolicy policy = policyYaml("podSelector: {}\n");
    policy.getMetadata().setName(null);
    assertThatThrownBy(() -> converter.networkPolicy(policy))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("NetworkPolicy x/<no name>: metadata.name: must be set");
  }
}
