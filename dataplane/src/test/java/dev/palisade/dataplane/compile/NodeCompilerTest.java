package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableList;

import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.MapDifference;
import com.google.common.collect.MapDifference.ValueDifference;
import com.google.common.collect.Maps;
import com.google.common.collect.Sets;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.HookSpec;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NodeCompilerTest {
  private static final Pattern JUMP = Pattern.compile(" -[jg] (PALISADE-\\S+)$");
  private static final Pattern SET = Pattern.compile("--match-set (\\S+) ");

  static List<GoldenScenarios.Scenario> scenarios() {
    return GoldenScenarios.all();
  }

  private static DesiredState compile(GoldenScenarios.Scenario scenario) {
    return NodeCompiler.compile(scenario.cluster().graph(), TestCluster.NODE,
        scenario.settings());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void theSameInputInAnotherInsertionOrderGivesTheSameState(GoldenScenarios.Scenario scenario) {
    DesiredState forward = compile(scenario);
    DesiredState reversed = NodeCompiler.compile(scenario.cluster().graphInReverseOrder(),
        TestCluster.NODE, scenario.settings());
    assertThat(reversed).isEqualTo(forward);
  }

  /**
   * Every jump and set reference resolves inside the state, and every chain is reachable from
   * a hook: the writer can create everything in one transaction and nothing is left dangling.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void everyReferenceResolvesAndEveryChainIsReachable(GoldenScenarios.Scenario scenario) {
    DesiredState state = compile(scenario);
    for (FamilyState family : List.of(state.v4(), state.v6())) {
      Set<String> reached = new HashSet<>();
      Set<String> usedSets = new HashSet<>();
      List<String> pending = new ArrayList<>();
      for (HookSpec hook : family.hooks()) {
        pending.add(jumpTarget(hook.rule()).orElseThrow());
      }
      while (!pending.isEmpty()) {
        String name = pending.remove(pending.size() - 1);
        if (!reached.add(name)) {
          continue;
        }
        ChainSpec chain = family.chains().get(name);
        assertThat(chain).as("chain %s referenced in %s", name, family.family()).isNotNull();
        for (String rule : chain.rules()) {
          jumpTarget(rule).ifPresent(pending::add);
          Matcher set = SET.matcher(rule);
          while (set.find()) {
            usedSets.add(set.group(1));
          }
        }
      }
      assertThat(reached).as("reachable chains").isEqualTo(family.chains().keySet());
      assertThat(family.sets().keySet()).as("sets").containsAll(usedSets);
      assertThat(usedSets).as("used sets").containsAll(family.sets().keySet());
    }
  }

  private static Optional<String> jumpTarget(String rule) {
    Matcher jump = JUMP.matcher(rule);
    return jump.find() ? Optional.of(jump.group(1)) : Optional.empty();
  }

  @Test
  void aPolicyChainIsSharedByThePodsItSelects() {
    TestCluster cluster = TestCluster.reference().with(policy("shared").in("x")
        .ingress(rule().peers(podPeer("x", selector("pod", "c"))).ports(tcp(80))).build());
    FamilyState v4 = NodeCompiler.compile(cluster.graph(), TestCluster.NODE,
        DataplaneSettings.DEFAULTS).v4();
    String policyChain = StableNames.DEFAULT.policyChain(Direction.INGRESS,
        ObjectRef.of("x", "shared")).preferred();
    assertThat(v4.chains()).containsKey(policyChain);
    long jumpingPodChains = v4.chains().values().stream()
        .filter(chain -> chain.rules().stream().anyMatch(r -> r.endsWith("-j " + policyChain)))
        .count();
    assertThat(jumpingPodChains).as("local pods x/a and x/b jump to one chain").isEqualTo(2);
  }

  @Test
  void twoPodsWhosePreferredChainNamesCollideEachGetTheirOwnChain() {
    // x/web-216740 and x/web-272257: same fragment "x.web_2", same 32-bit hash
    TestCluster cluster = TestCluster.reference().with(
        pod("web-216740").in("x").labels("app", "collide").ip("10.0.1.50").node("node-1")
            .build(),
        pod("web-272257").in("x").labels("app", "collide").ip("10.0.1.51").node("node-1")
            .build())
        .with(policy("collide").in("x").select(selector("app", "collide"))
            .types(Direction.INGRESS).build());
    String preferred = StableNames.DEFAULT.podChain(Direction.INGRESS,
        ObjectRef.of("x", "web-216740")).preferred();
    assertThat(StableNames.DEFAULT.podChain(Direction.INGRESS, ObjectRef.of("x", "web-272257"))
        .preferred()).isEqualTo(preferred);

    FamilyState v4 = NodeCompiler.compile(cluster.graph(), TestCluster.NODE,
        DataplaneSettings.DEFAULTS).v4();

    List<String> targets = v4.chains().values().stream()
        .flatMap(chain -> chain.rules().stream())
        .filter(rule -> rule.startsWith("-d 10.0.1.50/32 ") || rule.startsWith("-d 10.0.1.51/32 "))
        .map(rule -> jumpTarget(rule).orElseThrow()).toList();
    assertThat(targets).hasSize(2).doesNotHaveDuplicates().contains(preferred);
  }

  @Test
  void onlyLocalEndpointPodsGetChainsAndGateEntries() {
    TestCluster cluster = TestCluster.reference().with(
        policy("deny-all").in("x").types(Direction.INGRESS).build());
    FamilyState v4 = NodeCompiler.compile(cluster.graph(), TestCluster.NODE,
        DataplaneSettings.DEFAULTS).v4();
    // x/c runs on node-2; x/host is host-network, x/done has failed: none is dispatched here.
    assertThat(v4.sets().get("pal-4-isolated-ingress").members())
        .containsExactly("10.0.1.10", "10.0.1.11");
    assertThat(v4.chains().keySet().stream().filter(name -> name.startsWith("PALISADE-PI-")))
        .hasSize(2);
  }

  @Test
  void nodeToPodTrafficIsHookedOnlyWhenItIsNotAllowed() {
    TestCluster cluster = TestCluster.reference();
    Stream<String> allowed = NodeCompiler.compile(cluster.graph(), TestCluster.NODE,
        DataplaneSettings.DEFAULTS).v4().hooks().stream().map(HookSpec::builtinChain);
    Stream<String> restricted = NodeCompiler.compile(cluster.graph(), TestCluster.NODE,
        DataplaneSettings.DEFAULTS.withAllowNodeToPods(false)).v4().hooks().stream()
        .map(HookSpec::builtinChain);
    assertThat(allowed).containsExactly("FORWARD", "INPUT");
    assertThat(restricted).containsExactly("FORWARD", "INPUT", "OUTPUT");
  }

  @Test
  void anUnrelatedPolicyElsewhereDoesNotChangeThisNode() {
    TestCluster base = TestCluster.reference().with(
        policy("deny-all").in("x").types(Direction.INGRESS).build());
    TestCluster withRemote = TestCluster.reference().with(
        policy("deny-all").in("x").types(Direction.INGRESS).build(),
        policy("remote").in("z").ingress(rule().peers(podPeer("z", selector("pod", "b"))))
            .build());
    assertThat(NodeCompiler.compile(withRemote.graph(), TestCluster.NODE,
        DataplaneSettings.DEFAULTS)).isEqualTo(NodeCompiler.compile(base.graph(),
        TestCluster.NODE, DataplaneSettings.DEFAULTS));
  }

  /**
   * Incremental shape: a pod joining a selector somewhere in the cluster changes one member of
   * one set and no chain, so the writer's delta is one {@code ipset add}.
   */
  @Test
  void aRemotePodJoiningASelectorChangesOnlyOneSetMember() {
    TestCluster before = TestCluster.reference().with(policy("allow-b").in("x")
        .select(selector("pod", "a")).ingress(rule().peers(podPeer("x", selector("pod", "b"))))
        .build());
    TestCluster after = TestCluster.reference().with(policy("allow-b").in("x")
        .select(selector("pod", "a")).ingress(rule().peers(podPeer("x", selector("pod", "b"))))
        .build()).with(pod("b2").in("x").labels("pod", "b").ip("10.0.2.13").node("node-2")
        .build());
    FamilyState old = compile(before);
    FamilyState changed = compile(after);
    assertThat(changed.chains()).isEqualTo(old.chains());
    assertThat(changed.hooks()).isEqualTo(old.hooks());
    MapDifference<String, IpSetSpec> sets = Maps.difference(old.sets(), changed.sets());
    assertThat(sets.entriesOnlyOnLeft()).isEmpty();
    assertThat(sets.entriesOnlyOnRight()).isEmpty();
    assertThat(sets.entriesDiffering()).hasSize(1);
    ValueDifference<IpSetSpec> set = sets.entriesDiffering().values().iterator().next();
    assertThat(Sets.difference(set.rightValue().members(), set.leftValue().members()))
        .containsExactly("10.0.2.13");
    assertThat(set.leftValue().members()).isSubsetOf(set.rightValue().members());
  }

  /** A changed policy rewrites its own chain and nothing else. */
  @Test
  void aChangedPolicyRewritesOnlyItsOwnChain() {
    TestCluster before = TestCluster.reference().with(
        policy("web").in("x").select(selector("app", "web"))
            .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(80))).build(),
        policy("other").in("x").select(selector("pod", "a"))
            .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(81))).build());
    TestCluster after = TestCluster.reference().with(
        policy("web").in("x").select(selector("app", "web"))
            .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(8080))).build(),
        policy("other").in("x").select(selector("pod", "a"))
            .ingress(rule().peers(podPeer("x", selector("pod", "b"))).ports(tcp(81))).build());
    MapDifference<String, ChainSpec> chains =
        Maps.difference(compile(before).chains(), compile(after).chains());
    assertThat(chains.entriesOnlyOnLeft()).isEmpty();
    assertThat(chains.entriesOnlyOnRight()).isEmpty();
    assertThat(chains.entriesDiffering()).containsOnlyKeys(StableNames.DEFAULT.policyChain(
        Direction.INGRESS, ObjectRef.of("x", "web")).preferred());
  }

  private static FamilyState compile(TestCluster cluster) {
    return NodeCompiler.compile(cluster.graph(), TestCluster.NODE, DataplaneSettings.DEFAULTS)
        .v4();
  }

  @Test
  void settingsRefuseBadValues() {
    assertThatThrownBy(() -> DataplaneSettings.DEFAULTS.withDenyLog(
        new DataplaneSettings.DenyLog(70_000, 1, 1))).hasMessageContaining("70000");
    assertThatThrownBy(() -> new DataplaneSettings(DenyAction.DROP, true, Optional.empty(),
        ImmutableList.of(), false, 0x3, Installation.DEFAULT))
        .hasMessageContaining("exactly one bit");
  }
}
