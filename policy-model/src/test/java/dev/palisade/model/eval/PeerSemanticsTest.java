package dev.palisade.model.eval;

import static dev.palisade.model.LabelRequirement.Operator.DOES_NOT_EXIST;
import static dev.palisade.model.LabelRequirement.Operator.EXISTS;
import static dev.palisade.model.LabelRequirement.Operator.IN;
import static dev.palisade.model.LabelRequirement.Operator.NOT_IN;
import static dev.palisade.model.eval.Probe.TCP_80;
import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.labels;
import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.peer;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.requirement;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;

import dev.palisade.model.IpFamily;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.Namespace;
import dev.palisade.model.Peer;
import dev.palisade.model.Pod;
import dev.palisade.model.testing.TestCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md section 3, item 6: which pods a peer stands for. Each case lets x/a in from the
 * given peers (as the alternatives of one rule) and lists the sources that get in; every other
 * pod of the reference cluster and an address outside the cluster must be denied.
 */
class PeerSemanticsTest {

  /** An address outside the cluster, inside no pod's block. */
  private static final String OUTSIDE = "203.0.113.9";

  /**
   * y/a has no {@code env} label, y/b has {@code env=prod}, y/c {@code env=dev}; namespace y
   * carries {@code team=blue}, x and z carry no team.
   */
  private static final List<Object> LABELED = List.of(
      namespace("y", "ns", "y", "team", "blue"),
      relabeled("y/b", "pod", "b", "env", "prod"),
      relabeled("y/c", "pod", "c", "env", "dev"));

  static Stream<SemanticsCase> cases() {
    return Stream.of(
        // "Otherwise it selects the pods matching podSelector in the policy's own namespace."
        letIn("podSelector alone: pods of the policy's namespace", List.of(),
            List.of(podPeer("x", selector("pod", "b"))), "x/b"),
        letIn("podSelector {} alone: every pod of the policy's namespace", List.of(),
            List.of(podPeer("x", LabelSelector.EVERYTHING)), "x/a", "x/b", "x/c"),
        // "Otherwise it selects all pods in the namespaces selected by namespaceSelector."
        letIn("namespaceSelector alone: every pod of the matching namespaces", List.of(),
            List.of(namespacePeer(selector("ns", "y"))), "y/a", "y/b", "y/c"),
        // "if present but empty, it selects all namespaces."
        letIn("namespaceSelector {}: every pod of the cluster, nothing outside", List.of(),
            List.of(namespacePeer(LabelSelector.EVERYTHING)),
            "x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c"),
        letIn("namespaceSelector on the name label the API server sets", List.of(),
            List.of(namespacePeer(selector(Namespace.NAME_LABEL, "z"))), "z/a", "z/b", "z/c"),
        // "If podSelector is also set, then the NetworkPolicyPeer as a whole selects the pods
        // matching podSelector in the namespaces selected by namespaceSelector."
        letIn("namespaceSelector and podSelector in one peer: AND", List.of(),
            List.of(peer(selector("ns", "y"), selector("pod", "b"))), "y/b"),
        // "Items in this list are combined using a logical OR operation."
        letIn("namespaceSelector and podSelector as two peers: OR", List.of(),
            List.of(namespacePeer(selector("ns", "y")), podPeer("x", selector("pod", "b"))),
            "y/a", "y/b", "y/c", "x/b"),
        letIn("a selector peer never matches an address outside the cluster", List.of(),
            List.of(namespacePeer(LabelSelector.EVERYTHING),
                podPeer("x", LabelSelector.EVERYTHING)),
            "x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c"),
        letIn("only an ipBlock matches an address outside the cluster", List.of(),
            List.of(ipBlock("203.0.113.0/24")), OUTSIDE),

        // matchExpressions; "The requirements are ANDed."
        letIn("In matches pods whose value is listed", LABELED,
            List.of(peer(selector("ns", "y"), selector(requirement("env", IN, "prod")))),
            "y/b"),
        letIn("In with two values", LABELED,
            List.of(peer(selector("ns", "y"),
                selector(requirement("env", IN, "prod", "dev")))),
            "y/b", "y/c"),
        letIn("NotIn also matches pods without the key", LABELED,
            List.of(peer(selector("ns", "y"), selector(requirement("env", NOT_IN, "prod")))),
            "y/a", "y/c"),
        letIn("Exists matches pods with the key, whatever its value", LABELED,
            List.of(peer(selector("ns", "y"), selector(requirement("env", EXISTS)))),
            "y/b", "y/c"),
        letIn("DoesNotExist matches pods without the key", LABELED,
            List.of(peer(selector("ns", "y"), selector(requirement("env", DOES_NOT_EXIST)))),
            "y/a"),
        letIn("two expressions: AND", LABELED,
            List.of(peer(selector("ns", "y"), selector(
                requirement("env", EXISTS), requirement("env", NOT_IN, "dev")))),
            "y/b"),
        letIn("matchLabels and matchExpressions: AND", LABELED,
            List.of(peer(selector("ns", "y"), LabelSelector.of(labels("pod", "c"),
                List.of(requirement("env", EXISTS))))),
            "y/c"),
        letIn("matchLabels and matchExpressions that no pod satisfies together", LABELED,
            List.of(peer(selector("ns", "y"), LabelSelector.of(labels("pod", "a"),
                List.of(requirement("env", EXISTS)))))),
        letIn("namespace NotIn matches namespaces without the key", LABELED,
            List.of(namespacePeer(selector(requirement("team", NOT_IN, "blue")))),
            "x/a", "x/b", "x/c", "z/a", "z/b", "z/c"),
        letIn("namespace DoesNotExist combined with a pod selector", LABELED,
            List.of(peer(selector(requirement("team", DOES_NOT_EXIST)),
                selector("pod", "c"))),
            "x/c", "z/c"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void peers(SemanticsCase semanticsCase) {
    semanticsCase.verify();
  }

  @Test
  void egressPeersSelectDestinationsTheSameWay() {
    TestCluster cluster = TestCluster.reference().apply(
        policy("out").in("x").select(selector("pod", "a"))
            .egress(rule().peers(peer(selector("ns", "y"), selector("pod", "b")),
                podPeer("x", selector("pod", "c"))))
            .build());

    SemanticsCase.verifyProbes(cluster, List.of(
        Probe.allowed("x/a", "y/b", TCP_80), Probe.allowed("x/a", "x/c", TCP_80),
        Probe.denied("x/a", "y/a", TCP_80), Probe.denied("x/a", "z/b", TCP_80),
        Probe.denied("x/a", "x/b", TCP_80), Probe.denied("x/a", OUTSIDE, TCP_80)));
  }

  /** Policy x/let-in: x/a accepts TCP 80 from {@code peers}; probes every source. */
  private static SemanticsCase letIn(String name, List<Object> setup, List<Peer> peers,
      String... allowedSources) {
    List<Object> objects = new ArrayList<>(setup);
    objects.add(policy("let-in").in("x").select(selector("pod", "a"))
        .ingress(rule().peers(peers.toArray(Peer[]::new))).build());
    Set<String> allowed = Set.of(allowedSources);
    List<Probe> probes = new ArrayList<>();
    for (String ns : TestCluster.NAMESPACES) {
      for (String pod : TestCluster.PODS) {
        String source = ns + "/" + pod;
        probes.add(new Probe(source, "x/a", TCP_80, IpFamily.V4, allowed.contains(source)));
      }
    }
    probes.add(new Probe(OUTSIDE, "x/a", TCP_80, IpFamily.V4, allowed.contains(OUTSIDE)));
    return new SemanticsCase(name, objects, probes);
  }

  private static Pod relabeled(String ref, String... keyValues) {
    Map<String, String> newLabels = labels(keyValues);
    return TestCluster.reference().pod(ref).withLabels(newLabels);
  }
}
