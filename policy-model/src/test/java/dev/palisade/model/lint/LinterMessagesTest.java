package dev.palisade.model.lint;

import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.named;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.Direction;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Protocol;
import dev.palisade.model.testing.TestCluster;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What each finding says: where the problem sits, why it matters, and a one-line fix. */
class LinterMessagesTest {

  static Stream<Arguments> messages() {
    return Stream.of(
        Arguments.of("PAL001",
            policy("p").in("x").select(selector("app", "none")).types(Direction.INGRESS).build(),
            "x/p PAL001 WARNING: podSelector app=none selects no pod with an IP in namespace x"
                + " (fix: compare the podSelector with the pods' labels: kubectl get pods -n x"
                + " --show-labels)"),
        Arguments.of("PAL002",
            policy("p").in("x").ingress(rule().peers(namespacePeer(selector("team", "blue")),
                podPeer("x", selector("app", "web")))).build(),
            "x/p PAL002 WARNING: ingress[0].from has one item with only namespaceSelector"
                + " (team=blue) and another with only podSelector (app=web): they match either,"
                + " not pods that satisfy both (fix: to require both, put podSelector in the"
                + " namespaceSelector's list item: drop the '-' before podSelector)"),
        Arguments.of("PAL003",
            policy("p").in("x").ingress(rule().ports(named(Protocol.UDP, "serve-80-tcp")))
                .build(),
            "x/p PAL003 WARNING: ingress[0].ports: no container port named 'serve-80-tcp' with"
                + " protocol UDP on the 3 pod(s) the policy selects (it is declared for TCP), so"
                + " it matches nothing (fix: use the name and protocol a containerPort of those"
                + " pods declares, or a port number)"),
        Arguments.of("PAL004",
            policy("p").in("x").ingress(rule().peers(ipBlock("10.0.0.1/8"))).build(),
            "x/p PAL004 WARNING: ingress[0].from: ipBlock cidr 10.0.0.1/8 has host bits set and"
                + " is read as 10.0.0.0/8 (fix: write 10.0.0.0/8)"),
        Arguments.of("PAL005",
            policy("p").in("x").egress(rule().peers(ipBlock("10.0.0.0/24", "10.0.1.0/24")))
                .build(),
            "x/p PAL005 ERROR: egress[0].to: ipBlock 10.0.0.0/24 except 10.0.1.0/24 is not"
                + " inside the cidr; the API server rejects it (fix: except only blocks inside"
                + " 10.0.0.0/24, or delete this except)"),
        Arguments.of("PAL006", policy("p").in("x").types(Direction.EGRESS).build(),
            "x/p PAL006 INFO: policyTypes lists Egress and there are no egress rules: the"
                + " selected pods may send nothing, DNS lookups included (fix: if not intended,"
                + " add egress rules, at least for DNS (UDP and TCP 53), or drop Egress from"
                + " policyTypes)"),
        Arguments.of("PAL007", policy("p").in("x").ingress(rule().ports(
                new PortMatcher.NamedPort(Protocol.TCP, "serve-80-tcp", true))).build(),
            "x/p PAL007 ERROR: ingress[0].ports: port 'serve-80-tcp' has an endPort; the API"
                + " server rejects endPort with a named port, and Palisade matches nothing for"
                + " it (fix: use a port number with endPort, or drop endPort)"),
        Arguments.of("PAL009", policy("p").in("x").types(Direction.INGRESS)
                .egress(rule()).build(),
            "x/p PAL009 WARNING: 1 egress rule(s) are ignored: policyTypes [Ingress] does not"
                + " list Egress (fix: add Egress to policyTypes, or delete the egress rules)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void says(String code, Policy policy, String expected) {
    TestCluster cluster = TestCluster.reference().apply(policy);

    assertThat(new Linter().lint(cluster.graph())).singleElement()
        .hasToString(expected);
  }
}
