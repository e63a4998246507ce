package dev.palisade.model.lint;

import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.named;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.peer;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.range;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.PodPhase;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Protocol;
import dev.palisade.model.testing.Builders.PolicyBuilder;
import dev.palisade.model.testing.TestCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each code with the shapes that raise it and the nearby shapes that must not. The cluster is
 * the reference one (x, y, z with pods a, b, c declaring serve-80-tcp, serve-80-udp and
 * serve-81-udp), plus the objects of the case; x/a also declares {@code web} (8080/TCP).
 */
class LinterTest {

  /** A case: objects on top of the reference cluster and the findings, as "CODE ns/policy". */
  record LintCase(String name, List<?> objects, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<LintCase> cases() {
    return Stream.of(
        // PAL001
        lintCase("PAL001: podSelector matching no pod",
            List.of(onA("p").select(selector("app", "none")).types(Direction.INGRESS)),
            "PAL001 x/p"),
        lintCase("PAL001: a namespace without pods",
            List.of(policy("p").in("empty").types(Direction.INGRESS)), "PAL001 empty/p"),
        lintCase("PAL001: selects only pods that are not endpoints",
            List.of(pod("done").in("x").labels("app", "job").ip("10.0.1.99")
                    .phase(PodPhase.SUCCEEDED).build(),
                pod("host").in("x").labels("app", "job").ip("192.168.0.1").hostNetwork().build(),
                onA("p").select(selector("app", "job")).types(Direction.INGRESS)),
            "PAL001 x/p"),
        lintCase("no PAL001: selects a pod", List.of(onA("p").types(Direction.INGRESS))),

        // PAL002
        lintCase("PAL002: namespaceSelector item and podSelector item in from",
            List.of(onA("p").ingress(rule().peers(namespacePeer(selector("ns", "y")),
                podPeer("x", selector("pod", "b"))))),
            "PAL002 x/p"),
        lintCase("PAL002: the same in to",
            List.of(onA("p").egress(rule().peers(podPeer("x", selector("pod", "b")),
                namespacePeer(selector("ns", "y"))))),
            "PAL002 x/p"),
        lintCase("no PAL002: both selectors in one item",
            List.of(onA("p").ingress(rule().peers(peer(selector("ns", "y"),
                selector("pod", "b")))))),
        lintCase("no PAL002: the podSelector item selects every pod",
            List.of(onA("p").ingress(rule().peers(namespacePeer(selector("ns", "y")),
                podPeer("x", LabelSelector.EVERYTHING))))),
        lintCase("no PAL002: two namespaceSelector items",
            List.of(onA("p").ingress(rule().peers(namespacePeer(selector("ns", "y")),
                namespacePeer(selector("ns", "z")))))),
        lintCase("no PAL002: a combined item next to a podSelector item",
            List.of(onA("p").ingress(rule().peers(peer(selector("ns", "y"), selector("pod", "b")),
                podPeer("x", selector("pod", "c")))))),
        lintCase("no PAL002: the two items in different rules",
            List.of(onA("p").ingress(rule().peers(namespacePeer(selector("ns", "y"))),
                rule().peers(podPeer("x", selector("pod", "b")))))),

        // PAL003
        lintCase("PAL003: ingress name no selected pod declares",
            List.of(onA("p").ingress(rule().ports(named(Protocol.TCP, "metrics")))),
            "PAL003 x/p"),
        lintCase("PAL003: ingress name declared for another protocol",
            List.of(onA("p").ingress(rule().ports(named(Protocol.UDP, "serve-80-tcp")))),
            "PAL003 x/p"),
        lintCase("no PAL003: ingress name the selected pods declare",
            List.of(onA("p").ingress(rule().ports(named(Protocol.TCP, "serve-80-tcp"),
                named(Protocol.UDP, "serve-81-udp"))))),
        lintCase("no PAL003: one of the selected pods declares it",
            List.of(policy("p").in("x").ingress(rule().ports(named(Protocol.TCP, "web"))))),
        lintCase("PAL003: egress name the rule's peer pods do not declare",
            List.of(policy("p").in("y").egress(rule().peers(peer(selector("ns", "x"),
                selector("pod", "b"))).ports(named(Protocol.TCP, "web")))),
            "PAL003 y/p"),
        lintCase("no PAL003: egress name a peer pod declares",
            List.of(policy("p").in("y").egress(rule().peers(namespacePeer(selector("ns", "x")))
                .ports(named(Protocol.TCP, "web"))))),
        lintCase("no PAL003: egress without selector peers, some pod declares the name",
            List.of(policy("p").in("y").egress(rule().peers(ipBlock("10.0.0.0/8"))
                .ports(named(Protocol.TCP, "web"))))),
        lintCase("PAL003: egress without selector peers, no pod declares the name",
            List.of(policy("p").in("y").egress(rule().ports(named(Protocol.TCP, "metrics")))),
            "PAL003 y/p"),
        lintCase("no PAL003: egress peers that match no pod yet",
            List.of(policy("p").in("y").egress(rule().peers(podPeer("y", selector("app", "x")))
                .ports(named(Protocol.TCP, "metrics"))))),
        lintCase("no PAL003 when the policy selects nothing (PAL001 says it)",
            List.of(onA("p").select(selector("app", "none"))
                .ingress(rule().ports(named(Protocol.TCP, "metrics")))),
            "PAL001 x/p"),

        // PAL004
        lintCase("PAL004: cidr with host bits",
            List.of(onA("p").ingress(rule().peers(ipBlock("10.0.0.1/8")))), "PAL004 x/p"),
        lintCase("PAL004: IPv6 cidr with host bits",
            List.of(onA("p").ingress(rule().peers(ipBlock("fd00::1/64")))), "PAL004 x/p"),
        lintCase("PAL004: except with host bits",
            List.of(onA("p").egress(rule().peers(ipBlock("10.0.0.0/8", "10.1.2.3/16")))),
            "PAL004 x/p"),
        lintCase("no PAL004: network addresses and host addresses",
            List.of(onA("p").ingress(rule().peers(ipBlock("10.0.0.0/8", "10.1.0.0/16"),
                ipBlock("10.0.0.1"), ipBlock("fd00::/64"))))),

        // PAL005
        lintCase("PAL005: except outside the cidr",
            List.of(onA("p").ingress(rule().peers(ipBlock("10.0.0.0/24", "192.168.0.0/24")))),
            "PAL005 x/p"),
        lintCase("PAL005: except wider than the cidr",
            List.of(onA("p").ingress(rule().peers(ipBlock("10.1.0.0/16", "10.0.0.0/8")))),
            "PAL005 x/p"),
        lintCase("PAL005: except equal to the cidr",
            List.of(onA("p").ingress(rule().peers(ipBlock("10.0.0.0/24", "10.0.0.0/24")))),
            "PAL005 x/p"),
        lintCase("PAL004 and PAL005: except equal to the cidr, written with host bits",
            List.of(onA("p").ingress(rule().peers(ipBlock("10.0.0.0/24", "10.0.0.7/24")))),
            "PAL004 x/p", "PAL005 x/p"),
        lintCase("PAL005: except of the other family",
            List.of(onA("p").ingress(rule().peers(ipBlock("10.0.0.0/8", "fd00::/64")))),
            "PAL005 x/p"),
        lintCase("no PAL005: excepts strictly inside",
            List.of(onA("p").ingress(rule().peers(ipBlock("10.0.0.0/8", "10.1.0.0/16",
                "10.0.0.1/32"))))),

        // PAL006
        lintCase("PAL006: policyTypes [Egress] without egress rules",
            List.of(onA("p").types(Direction.EGRESS)), "PAL006 x/p"),
        lintCase("PAL006: policyTypes [Ingress, Egress] without rules",
            List.of(onA("p").types(Direction.INGRESS, Direction.EGRESS)), "PAL006 x/p"),
        lintCase("no PAL006: ingress-only default deny",
            List.of(onA("p").types(Direction.INGRESS))),
        lintCase("no PAL006: egress rules present",
            List.of(onA("p").types(Direction.EGRESS).egress(rule().ports(tcp(53))))),

        // PAL007
        lintCase("PAL007: endPort with a named port",
            List.of(onA("p").ingress(rule().ports(
                new PortMatcher.NamedPort(Protocol.TCP, "serve-80-tcp", true)))),
            "PAL007 x/p"),
        lintCase("no PAL007: endPort with a number",
            List.of(onA("p").ingress(rule().ports(range(Protocol.TCP, 80, 90))))),

        // PAL009
        lintCase("PAL009: egress rules with policyTypes [Ingress]",
            List.of(onA("p").types(Direction.INGRESS).egress(rule().ports(tcp(53)))),
            "PAL009 x/p"),
        lintCase("PAL009: ingress rules with policyTypes [Egress]",
            List.of(onA("p").types(Direction.EGRESS).ingress(rule()).egress(rule())),
            "PAL009 x/p"),
        lintCase("no PAL009: defaulted policyTypes",
            List.of(onA("p").ingress(rule()).egress(rule()))),

        lintCase("findings are sorted by policy, then code",
            List.of(policy("q").in("y").types(Direction.EGRESS),
                onA("p").select(selector("app", "none"))
                    .ingress(rule().peers(ipBlock("10.0.0.1/8"))),
                onA("a").types(Direction.INGRESS, Direction.EGRESS)
                    .ingress(rule().peers(ipBlock("10.0.0.0/8", "11.0.0.0/8")))),
            "PAL005 x/a", "PAL006 x/a", "PAL001 x/p", "PAL004 x/p", "PAL006 y/q"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void findings(LintCase lintCase) {
    TestCluster cluster = TestCluster.reference();
    cluster.apply(TestCluster.withPort(cluster.pod("x/a"),
        new ContainerPort("web", 8080, Protocol.TCP)));
    cluster.applyAll(lintCase.objects());

    List<Finding> findings = new Linter().lint(cluster.graph());

    assertThat(findings).extracting(finding -> finding.code() + " " + finding.policy())
        .as("findings: %s", findings)
        .containsExactlyElementsOf(lintCase.expected());
    for (Finding finding : findings) {
      assertThat(finding.severity()).isEqualTo(LintCode.valueOf(finding.code()).severity());
      assertThat(finding.hint()).doesNotContain("\n");
    }
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({"PAL001, WARNING", "PAL002, WARNING", "PAL003, WARNING", "PAL004, WARNING",
      "PAL005, ERROR", "PAL006, INFO", "PAL007, ERROR", "PAL009, WARNING"})
  void severities(LintCode code, Severity severity) {
    assertThat(code.severity()).isEqualTo(severity);
  }

  /** A policy in x selecting x/a. */
  private static PolicyBuilder onA(String name) {
    return policy(name).in("x").select(selector("pod", "a"));
  }

  private static LintCase lintCase(String name, List<Object> objects, String... expected) {
    List<Object> built = new ArrayList<>();
    for (Object object : objects) {
      built.add(object instanceof PolicyBuilder builder ? builder.build() : object);
    }
    return new LintCase(name, built, List.of(expected));
  }
}
