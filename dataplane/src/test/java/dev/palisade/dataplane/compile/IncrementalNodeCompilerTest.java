package dev.palisade.dataplane.compile;

import static dev.palisade.model.testing.Builders.ipBlock;
import static dev.palisade.model.testing.Builders.named;
import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.peer;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.Sets;
import dev.palisade.dataplane.plan.NodePlan;
import dev.palisade.dataplane.plan.PeerClass;
import dev.palisade.dataplane.plan.NodePlanner;
import dev.palisade.dataplane.state.ChainOwner;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.PodPhase;
import dev.palisade.model.Policy;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The incremental compiler must give exactly what the pure compiler gives on the graph as it is,
 * whatever ran before: random runs of pod, namespace and policy changes on both nodes, compiled
 * after each run of a few changes with the deltas they returned.
 */
class IncrementalNodeCompilerTest {
  private static final String NODE = "node-1";
  private static final List<String> NAMESPACES = List.of("x", "y", "z");
  private static final List<String> APPS = List.of("web", "db", "cache");
  private static final Cidr NODE_BLOCK = Cidr.parse("10.0.1.0/24");
  private static final DataplaneSettings SETTINGS = DataplaneSettings.DEFAULTS
      .withFailClosed(List.of(NODE_BLOCK));

  /**
   * Seeds, and pod names per namespace: 8 keeps the node's pods few and their changes dense;
   * 40 gives the node dispatch trees with inner nodes, which a patch rebuilds on the previous
   * tree.
   */
  static Stream<Arguments> runs() {
    return Stream.concat(LongStream.rangeClosed(1, 8).mapToObj(seed -> Arguments.of(seed, 8)),
        LongStream.rangeClosed(9, 11).mapToObj(seed -> Arguments.of(seed, 40)));
  }

  @ParameterizedTest
  @MethodSource("runs")
  void equalsTheFullCompilationAfterEveryRunOfChanges(long seed, int podNames) {
    Random random = new Random(seed);
    RuleGraph graph = new RuleGraph();
    IncrementalNodeCompiler compiler = new IncrementalNodeCompiler(NODE, SETTINGS);
    assertThat(compiler.rehearse(graph, 0)).as("nothing compiled yet").isEmpty();
    int rehearsals = 0;
    int roundsWithInnerNodes = 0;
    List<GraphDelta> pending = new ArrayList<>();
    for (String ns : NAMESPACES) {
      pending.add(graph.upsertNamespace(namespace(ns, "ns", ns, "team", "t1")));
    }
    for (int round = 0; round < 150; round++) {
      int changes = 1 + random.nextInt(3);
      for (int i = 0; i < changes; i++) {
        pending.add(randomChange(random, graph, podNames).get());
      }
      DesiredState incremental = compiler.compile(graph, GraphDelta.union(pending));
      pending.clear();
      assertThat(incremental).as("seed %s round %s", seed, round)
          .isEqualTo(NodeCompiler.compile(graph, NODE, SETTINGS));
      if (incremental.v4().chains().keySet().stream().anyMatch(name -> name.startsWith(
          StableNames.DEFAULT.treeChain(Direction.INGRESS, NODE_BLOCK).prefix())
          || name.startsWith(StableNames.DEFAULT.treeChain(Direction.EGRESS, NODE_BLOCK)
              .prefix()))) {
        roundsWithInnerNodes++;
      }
      // A rehearsal renders what the node holds, and the next round's compile (asserted
      // above) starts from the last compilation as if it had not run.
      Optional<DesiredState> rehearsed = compiler.rehearse(graph, round);
      if (rehearsed.isPresent()) {
        assertThat(rehearsed.get()).as("seed %s round %s rehearsed", seed, round)
            .isEqualTo(incremental);
        rehearsals++;
      }
      // So does a rehearsal of the first compilation, with a compiler of its own.
      long compilations = compiler.fullCompilations() + compiler.setOnlyCompilations();
      Optional<DesiredState> rehearsedFirst = compiler.rehearseFirst(graph);
      assertThat(rehearsedFirst.isPresent()).as("seed %s round %s: rehearsed first", seed, round)
          .isEqualTo(!graph.endpointsOnNode(NODE).isEmpty());
      rehearsedFirst.ifPresent(state -> assertThat(state).isEqualTo(incremental));
      assertThat(compiler.fullCompilations() + compiler.setOnlyCompilations())
          .isEqualTo(compilations);
    }
    assertThat(rehearsals).as("rounds with an endpoint on the node").isPositive();
    assertThat(compiler.setOnlyCompilations()).as("remote-only changes take the sets-only path")
        .isPositive();
    assertThat(compiler.fullCompilations()).isPositive();
    assertThat(compiler.patchedCompilations()).as("chains patched onto the previous ones")
        .isPositive().isLessThan(compiler.fullCompilations());
    if (podNames > DispatchTree.LEAF_CAPACITY) {
      assertThat(roundsWithInnerNodes).as("rounds with a dispatch tree's inner nodes")
          .isPositive();
    }
  }

  @Test
  void aNewPodWhoseNameCollidesWithAGonePodsGetsThePreferredNameAsAFullCompilationGivesIt() {
    // x/web-216740 and x/web-272257: same preferred pod chain name (StableNamesTest)
    ObjectRef gone = ObjectRef.of("x", "web-216740");
    ObjectRef added = ObjectRef.of("x", "web-272257");
    RuleGraph graph = new RuleGraph();
    IncrementalNodeCompiler compiler = new IncrementalNodeCompiler(NODE, SETTINGS);
    compiler.compile(graph, GraphDelta.union(List.of(
        graph.upsertNamespace(namespace("x", "ns", "x")),
        graph.upsertPod(pod(gone.name()).in("x").labels("app", "web").ip("10.0.1.10")
            .node(NODE).build()),
        graph.upsertPolicy(policy("web").in("x").select(selector("app", "web"))
            .ingress(rule().peers(podPeer("x", selector("app", "db")))).build()))));

    // the ledger the compiler continues still knows the gone pod's identity and name
    DesiredState after = compiler.compile(graph, GraphDelta.union(List.of(
        graph.deletePod(gone), graph.upsertPod(pod(added.name()).in("x").labels("app", "web")
            .ip("10.0.1.11").node(NODE).build()))));

    assertThat(after).isEqualTo(NodeCompiler.compile(graph, NODE, SETTINGS));
    assertThat(after.v4().chains()).containsKey(
        StableNames.DEFAULT.podChain(Direction.INGRESS, added).preferred());
  }

  @Test
  void aRemotePodChangeRecomputesOnlyTheSetsItTouches() {
    RuleGraph graph = new RuleGraph();
    IncrementalNodeCompiler compiler = new IncrementalNodeCompiler(NODE, SETTINGS);
    GraphDelta all = GraphDelta.union(List.of(
        graph.upsertNamespace(namespace("x", "ns", "x")),
        graph.upsertPod(pod("local").in("x").labels("app", "web").ip("10.0.1.10")
            .node(NODE).build()),
        graph.upsertPod(pod("far").in("x").labels("app", "db").ip("10.0.2.10")
            .node("node-2").build()),
        graph.upsertPolicy(policy("web").in("x").select(selector("app", "web"))
            .ingress(rule().peers(podPeer("x", selector("app", "db")))).build()),
        graph.upsertPolicy(policy("to-cache").in("x").select(selector("app", "web"))
            .types(Direction.EGRESS)
            .egress(rule().peers(podPeer("x", selector("app", "cache")))).build())));
    DesiredState before = compiler.compile(graph, all);

    DesiredState after = compiler.compile(graph, graph.upsertPod(pod("far2").in("x")
        .labels("app", "db").ip("10.0.2.11").node("node-2").build()));

    assertThat(compiler.setOnlyCompilations()).isEqualTo(1);
    assertThat(after.v4().chains()).isSameAs(before.v4().chains());
    List<String> changedSets = new ArrayList<>();
    after.v4().sets().forEach((name, set) -> {
      if (set != before.v4().sets().get(name)) {
        changedSets.add(name);
      }
    });
    assertThat(changedSets).singleElement().satisfies(name ->
        assertThat(after.v4().sets().get(name).members()).containsExactly("10.0.2.10",
            "10.0.2.11"));
    assertThat(after).isEqualTo(NodeCompiler.compile(graph, NODE, SETTINGS));
  }

  /**
   * A large set with few changes is rendered from its previous text (only the changed members
   * are written), with the same result as rendering it whole: a pod joins, one leaves, one
   * moves to another address, and an ipBlock's set stays as it was.
   */
  @Test
  void aFewChangesToALargeSetGiveWhatAFullRenderGives() {
    RuleGraph graph = new RuleGraph();
    IncrementalNodeCompiler compiler = new IncrementalNodeCompiler(NODE, SETTINGS);
    List<GraphDelta> setup = new ArrayList<>(List.of(
        graph.upsertNamespace(namespace("x", "ns", "x")),
        graph.upsertPod(pod("local").in("x").labels("app", "web").ip("10.0.1.10")
            .node(NODE).build()),
        graph.upsertPolicy(policy("web").in("x").select(selector("app", "web"))
            .ingress(rule().peers(podPeer("x", selector("app", "db")))).build())));
    for (int i = 0; i < 40; i++) {
      setup.add(graph.upsertPod(pod("db" + i).in("x").labels("app", "db")
          .ip("10.0.2." + (10 + i)).node("node-2").build()));
    }
    compiler.compile(graph, GraphDelta.union(setup));

    for (Supplier<GraphDelta> change : List.<Supplier<GraphDelta>>of(
        () -> graph.upsertPod(pod("db-new").in("x").labels("app", "db").ip("10.0.2.200")
            .node("node-2").build()),
        () -> graph.deletePod(ObjectRef.of("x", "db3")),
        () -> graph.upsertPod(pod("db7").in("x").labels("app", "db").ip("10.0.2.201")
            .node("node-2").build()))) {
      DesiredState after = compiler.compile(graph, change.get());
      assertThat(after).isEqualTo(NodeCompiler.compile(graph, NODE, SETTINGS));
    }
    assertThat(compiler.setOnlyCompilations()).isEqualTo(3);
  }

  @Test
  void aPolicyChangeRecompilesTheChainsAndKeepsEveryUntouchedSetAndChain() {
    RuleGraph graph = new RuleGraph();
    IncrementalNodeCompiler compiler = new IncrementalNodeCompiler(NODE, SETTINGS);
    DesiredState before = compiler.compile(graph, GraphDelta.union(List.of(
        graph.upsertNamespace(namespace("x", "ns", "x")),
        graph.upsertPod(pod("local").in("x").labels("app", "web").ip("10.0.1.10")
            .node(NODE).build()),
        graph.upsertPod(pod("far").in("x").labels("app", "db").ip("10.0.2.10")
            .node("node-2").build()),
        graph.upsertPolicy(policy("from-db").in("x").select(selector("app", "web"))
            .ingress(rule().peers(podPeer("x", selector("app", "db")))).build()),
        graph.upsertPolicy(webFromBlock(80)))));

    DesiredState after = compiler.compile(graph, graph.upsertPolicy(webFromBlock(443)));

    assertThat(compiler.fullCompilations()).isEqualTo(2);
    assertThat(after.v4().chains()).isNotEqualTo(before.v4().chains());
    List<String> remoteSets = before.v4().sets().keySet().stream()
        .filter(name -> name.startsWith("pal-4s-") || name.startsWith("pal-4n-")).toList();
    assertThat(remoteSets).as("the selector's and the ipBlock's sets").hasSize(2);
    remoteSets.forEach(name -> assertThat(after.v4().sets().get(name)).as(name)
        .isSameAs(before.v4().sets().get(name)));
    List<String> changed = after.v4().chains().keySet().stream()
        .filter(name -> after.v4().chains().get(name) != before.v4().chains().get(name))
        .toList();
    assertThat(changed).as("the changed policy's ingress chain, the only chain whose rules "
        + "changed; every other keeps its spec object, which the writer skips").singleElement()
        .satisfies(name -> assertThat(after.v4().owners().get(name))
            .isEqualTo(ChainOwner.policy(ObjectRef.of("x", "from-block"), Direction.INGRESS)));
    assertThat(after).isEqualTo(NodeCompiler.compile(graph, NODE, SETTINGS));
  }

  /**
   * A pod of the node that an unchanged policy selects: the policy's chain and the other pod's
   * chain are rendered from the same plan objects, so they are the previous chain objects (not
   * rendered and compared again); the new pod's chain is new.
   */
  @Test
  void aLocalPodChangeRendersOnlyItsOwnChain() {
    RuleGraph graph = new RuleGraph();
    GraphDelta setup = GraphDelta.union(List.of(
        graph.upsertNamespace(namespace("x", "ns", "x")),
        graph.upsertPod(pod("local").in("x").labels("app", "web").ip("10.0.1.10")
            .node(NODE).build()),
        graph.upsertPolicy(webFromBlock(80))));
    NodePlan firstPlan = NodePlanner.plan(graph, NODE, null, setup);
    NodeCompiler.Compilation first = NodeCompiler.render(firstPlan, SETTINGS, null);

    GraphDelta localPod = graph.upsertPod(pod("local2").in("x").labels("app", "web")
        .ip("10.0.1.11").node(NODE).build());
    NodeCompiler.Compilation second = NodeCompiler.render(
        NodePlanner.plan(graph, NODE, firstPlan, localPod), SETTINGS, first);

    FamilyCompiler.Compiled before = first.families().get(IpFamily.V4);
    FamilyCompiler.Compiled after = second.families().get(IpFamily.V4);
    FamilyCompiler.ChainKey policy = new FamilyCompiler.ChainKey(
        ObjectRef.of("x", "from-block"), Direction.INGRESS);
    assertThat(after.policies().get(policy)).isSameAs(before.policies().get(policy));
    FamilyCompiler.ChainKey local = new FamilyCompiler.ChainKey(ObjectRef.of("x", "local"),
        Direction.INGRESS);
    assertThat(after.pods().get(local).chain()).isSameAs(before.pods().get(local).chain());
    assertThat(after.pods()).containsKey(new FamilyCompiler.ChainKey(
        ObjectRef.of("x", "local2"), Direction.INGRESS));
    PeerClass block = firstPlan.v4().rules(ObjectRef.of("x", "from-block"), Direction.INGRESS)
        .get(0).peer().orElseThrow();
    assertThat(after.setNames().get(block)).as("the block's set is not named again")
        .isSameAs(before.setNames().get(block));
    assertThat(second.state()).isEqualTo(NodeCompiler.compile(graph, NODE, SETTINGS));
  }

  /**
   * A pod that gets its address on a node that prepared its policy while it waited: the
   * policy's chain and set are the ones compiled then (the same specs, which the kernel writer
   * skips), and only the pod's own chain is new.
   */
  @Test
  void aPodGettingItsAddressFindsItsPolicysChainInPlace() {
    RuleGraph graph = new RuleGraph();
    IncrementalNodeCompiler compiler = new IncrementalNodeCompiler(NODE, SETTINGS);
    compiler.compile(graph, GraphDelta.union(List.of(
        graph.upsertNamespace(namespace("x", "ns", "x")),
        graph.upsertPod(pod("web").in("x").labels("app", "web").ip("10.0.1.10").node(NODE)
            .build()),
        graph.upsertPolicy(webFromBlock(80)),
        graph.upsertPolicy(policy("cache").in("x").select(selector("app", "cache"))
            .ingress(rule().peers(podPeer("x", selector("app", "web")))).build()))));
    var cache = pod("cache").in("x").labels("app", "cache").node(NODE);

    DesiredState waiting = compiler.compile(graph,
        graph.upsertPod(cache.phase(PodPhase.PENDING).build()));
    DesiredState running = compiler.compile(graph,
        graph.upsertPod(cache.phase(PodPhase.RUNNING).ip("10.0.1.11").build()));

    assertThat(running).isEqualTo(NodeCompiler.compile(graph, NODE, SETTINGS));
    Set<String> policyChains = waiting.v4().owners().entrySet().stream()
        .filter(owner -> owner.getValue().equals(
            ChainOwner.policy(ObjectRef.of("x", "cache"), Direction.INGRESS)))
        .map(Map.Entry::getKey).collect(Collectors.toSet());
    assertThat(policyChains).as("prepared while the pod waited").hasSize(1);
    policyChains.forEach(chain -> assertThat(running.v4().chains().get(chain))
        .isSameAs(waiting.v4().chains().get(chain)));
    waiting.v4().sets().forEach((name, set) -> {
      if (!name.contains("isolated") && !name.contains("local-pods")) {
        assertThat(running.v4().sets().get(name)).as(name).isSameAs(set);
      }
    });
    assertThat(Sets.difference(running.v4().chains().keySet(), waiting.v4().chains().keySet()))
        .singleElement().asString().startsWith("PALISADE-PI-x.cache");
  }

  private static Policy webFromBlock(int port) {
    return policy("from-block").in("x").select(selector("app", "web"))
        .ingress(rule().peers(ipBlock("10.9.0.0/16")).ports(tcp(port))).build();
  }

  private static Supplier<GraphDelta> randomChange(Random random, RuleGraph graph,
      int podNames) {
    String ns = pick(random, NAMESPACES);
    String name = "p" + random.nextInt(podNames);
    return switch (random.nextInt(10)) {
      case 0, 1, 2, 3 -> () -> graph.upsertPod(randomPod(random, ns, name, podNames));
      case 4 -> () -> graph.deletePod(ObjectRef.of(ns, name));
      case 5 -> () -> graph.upsertNamespace(namespace(ns, "ns", ns, "team",
          random.nextBoolean() ? "t1" : "t2"));
      case 6, 7 -> () -> graph.upsertPolicy(randomPolicy(random, ns));
      case 8 -> () -> graph.deletePolicy(ObjectRef.of(ns, "pol" + random.nextInt(4)));
      default -> () -> graph.upsertPod(randomPod(random, ns, name, podNames).withLabels(
          java.util.Map.of("app", pick(random, APPS), "v", "2")));
    };
  }

  private static dev.palisade.model.Pod randomPod(Random random, String ns, String name,
      int podNames) {
    var builder = pod(name).in(ns).labels("app", pick(random, APPS))
        .node(random.nextInt(3) == 0 ? NODE : "node-2")
        .port("http", 8000 + random.nextInt(3), Protocol.TCP);
    if (random.nextInt(6) > 0) {
      int host = 10 + random.nextInt(5 * podNames);
      builder.ip(random.nextBoolean() ? "10.0.1." + host : "10.0.2." + host);
    }
    return builder.build();
  }

  private static Policy randomPolicy(Random random, String ns) {
    String target = pick(random, APPS);
    String peerApp = pick(random, APPS);
    String policyName = "pol" + random.nextInt(4);
    return switch (random.nextInt(5)) {
      case 0 -> policy(policyName).in(ns).select(selector("app", target))
          .ingress(rule().peers(podPeer(ns, selector("app", peerApp)))
              .ports(named(Protocol.TCP, "http"))).build();
      case 1 -> policy(policyName).in(ns).select(selector("app", target))
          .types(Direction.EGRESS)
          .egress(rule().peers(peer(selector("team", "t1"), selector("app", peerApp)))
              .ports(named(Protocol.TCP, "http"))).build();
      case 2 -> policy(policyName).in(ns).select(selector(new String[0])).types(Direction.EGRESS)
          .egress(rule().ports(named(Protocol.TCP, "http")),
              rule().peers(ipBlock("10.0.0.0/16", "10.0.2.0/24"))).build();
      case 3 -> policy(policyName).in(ns).select(selector("app", target))
          .ingress(rule().peers(namespacePeer(selector("team", "t2"))).ports(tcp(80)))
          .build();
      default -> policy(policyName).in(ns).select(selector(new String[0])).build();
    };
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
