package dev.palisade.model.eval;

import static dev.palisade.model.eval.Probe.TCP_80;
import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.Direction;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.testing.TestCluster;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md section 3, item 11: namespace and pod label changes, pod IP changes and policy
 * create/update/delete take effect on the same graph, without rebuilding it.
 */
class ChangeSemanticsTest {

  private static final Policy FROM_TEAM_BLUE = policy("from-blue").in("x")
      .select(selector("pod", "a"))
      .ingress(rule().peers(namespacePeer(selector("team", "blue")))).build();
  private static final Policy FROM_B = policy("from-b").in("x").select(selector("pod", "a"))
      .ingress(rule().peers(podPeer("x", selector("pod", "b")))).build();
  private static final Policy FROM_X = policy("from-x").in("x").select(selector("pod", "a"))
      .ingress(rule().peers(podPeer("x", LabelSelector.EVERYTHING))).build();
  private static final Policy DENY_A = policy("deny-a").in("x").select(selector("pod", "a"))
      .types(Direction.INGRESS).build();

  /** One change; the probe's verdict before and after it. */
  record Change(String name, List<?> setup, Consumer<RuleGraph> change, String from,
      String to, boolean allowedBefore, boolean allowedAfter) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Change> changes() {
    return Stream.of(
        new Change("namespace gains a label", List.of(FROM_TEAM_BLUE),
            graph -> graph.upsertNamespace(namespace("y", "ns", "y", "team", "blue")),
            "y/b", "x/a", false, true),
        new Change("namespace loses a label",
            List.of(namespace("y", "ns", "y", "team", "blue"), FROM_TEAM_BLUE),
            graph -> graph.upsertNamespace(namespace("y", "ns", "y")),
            "y/b", "x/a", true, false),
        new Change("namespace deleted: its labels are forgotten",
            List.of(namespace("y", "team", "blue"), FROM_TEAM_BLUE),
            graph -> graph.deleteNamespace("y"),
            "y/b", "x/a", true, false),
        new Change("peer pod gains the label", List.of(FROM_B),
            graph -> graph.upsertPod(graph.pod(ObjectRef.of("x", "c")).orElseThrow()
                .withLabels(selector("pod", "b").matchLabels())),
            "x/c", "x/a", false, true),
        new Change("selected pod loses the label", List.of(DENY_A),
            graph -> graph.upsertPod(graph.pod(ObjectRef.of("x", "a")).orElseThrow()
                .withLabels(selector("pod", "moved").matchLabels())),
            "y/a", "x/a", false, true),
        new Change("peer pod changes its IP", List.of(FROM_X),
            graph -> graph.upsertPod(pod("b").in("x").labels("pod", "b").ip("10.0.9.9").build()),
            "10.0.9.9", "x/a", false, true),
        new Change("peer pod deleted: its IP is nobody's", List.of(FROM_X),
            graph -> graph.deletePod(ObjectRef.of("x", "b")),
            "10.0.1.2", "x/a", true, false),
        new Change("policy created", List.of(),
            graph -> graph.upsertPolicy(DENY_A), "y/a", "x/a", true, false),
        new Change("policy updated", List.of(FROM_B),
            graph -> graph.upsertPolicy(policy("from-b").in("x").select(selector("pod", "a"))
                .ingress(rule().peers(podPeer("x", selector("pod", "c")))).build()),
            "x/b", "x/a", true, false),
        new Change("policy deleted", List.of(DENY_A),
            graph -> graph.deletePolicy(DENY_A.ref()), "y/a", "x/a", false, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void takesEffectOnTheLiveGraph(Change change) {
    TestCluster cluster = TestCluster.reference().applyAll(change.setup());
    assertThat(cluster.verdict(change.from(), change.to(), TCP_80).allowed())
        .as("before the change").isEqualTo(change.allowedBefore());

    change.change().accept(cluster.graph());

    Verdict after = cluster.verdict(change.from(), change.to(), TCP_80);
    assertThat(after.allowed()).as("after the change: %s", after.explain())
        .isEqualTo(change.allowedAfter());
  }
}
