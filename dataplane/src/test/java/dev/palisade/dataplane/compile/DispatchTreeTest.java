package dev.palisade.dataplane.compile;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.rules.Chain;
import dev.palisade.dataplane.rules.Match;
import dev.palisade.dataplane.rules.Rule;
import dev.palisade.model.Direction;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every pod is reached through the tree, and a packet crosses few rules on the way. */
class DispatchTreeTest {

  static Stream<Arguments> layouts() {
    return Stream.of(
        Arguments.of("110 pods of one /24", addresses(110, i -> "10.0.7." + (i + 2)), 16),
        Arguments.of("8 pods: one leaf", addresses(8, i -> "10.0.7." + (i * 30)), 8),
        Arguments.of("250 pods of a /16, scattered",
            addresses(250, i -> "10.1." + (i * 37 % 256) + "." + (i * 101 % 254 + 1)), 22),
        Arguments.of("110 IPv6 pods", addresses(110, i -> "fd00:7::" + Integer.toHexString(i)),
            16));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layouts")
  void everyPodIsReachedWithinTheRuleBudget(String name, List<InetAddress> pods,
      int maxRules) {
    List<DispatchTree.Target> targets = new ArrayList<>();
    for (int i = 0; i < pods.size(); i++) {
      targets.add(new DispatchTree.Target(pods.get(i), "PALISADE-POD-" + i));
    }
    DispatchTree.Tree tree = DispatchTree.build(Direction.INGRESS, targets, new NameLedger(),
        StableNames.DEFAULT);
    Map<String, List<Rule>> chains = new HashMap<>();
    tree.innerChains().forEach(chain -> chains.put(chain.name(), chain.rules()));
    int worst = 0;
    for (DispatchTree.Target target : targets) {
      int[] crossed = {0};
      Optional<String> reached = walk(tree.rootRules(), chains, target.address(), crossed);
      assertThat(reached).as("chain reached by %s", target.address()).contains(target.chain());
      worst = Math.max(worst, crossed[0]);
    }
    assertThat(worst).as("rules crossed in the worst case").isLessThanOrEqualTo(maxRules);
    assertThat(walk(tree.rootRules(), chains, InetAddresses.forString(
        pods.get(0) instanceof Inet4Address ? "192.0.2.1" : "2001:db8::1"),
        new int[1])).as("an address of no local pod").isEmpty();
    assertThat(tree.innerChains()).extracting(Chain::name).doesNotHaveDuplicates();
  }

  /**
   * A tree built on the previous one, in the ledger that named it continued, is the tree built
   * anew: random runs of pods coming, going and getting another chain, over a /24 dense enough
   * that most changes leave most inner nodes as they were, and those reuse the previous chain
   * objects.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void aTreeBuiltOnThePreviousOneIsTheTreeBuiltAnew(long seed) {
    Random random = new Random(seed);
    Map<InetAddress, String> pods = new HashMap<>();
    for (int i = 0; i < 110; i++) {
      pods.put(InetAddresses.forString("10.0.7." + (2 + random.nextInt(250))), "PALISADE-P-" + i);
    }
    NameLedger ledger = new NameLedger();
    DispatchTree.Tree previous = DispatchTree.build(Direction.EGRESS, targets(pods), ledger,
        StableNames.DEFAULT);
    int reusedChains = 0;
    for (int round = 0; round < 60; round++) {
      InetAddress address = InetAddresses.forString("10.0.7." + (2 + random.nextInt(250)));
      switch (random.nextInt(3)) {
        case 0 -> pods.remove(address);
        case 1 -> pods.put(address, "PALISADE-P-new-" + round);
        default -> pods.replaceAll((pod, chain) -> pod.equals(address) ? chain + "x" : chain);
      }
      NameLedger continued = ledger.next();
      DispatchTree.Tree patched = DispatchTree.build(Direction.EGRESS, targets(pods), continued,
          StableNames.DEFAULT, previous);
      DispatchTree.Tree anew = DispatchTree.build(Direction.EGRESS, targets(pods),
          new NameLedger(), StableNames.DEFAULT);
      assertThat(patched.rootRules()).as("seed %s round %s", seed, round)
          .isEqualTo(anew.rootRules());
      assertThat(patched.innerChains()).as("seed %s round %s", seed, round)
          .isEqualTo(anew.innerChains());
      assertThat(continued.detouredAfterContinuing()).isFalse();
      Set<Chain> before = Collections.newSetFromMap(new IdentityHashMap<>());
      before.addAll(previous.innerChains());
      reusedChains += (int) patched.innerChains().stream().filter(before::contains).count();
      previous = patched;
      ledger = continued;
    }
    assertThat(reusedChains).as("inner chains carried over as the same objects").isPositive();
  }

  private static List<DispatchTree.Target> targets(Map<InetAddress, String> pods) {
    List<DispatchTree.Target> targets = new ArrayList<>();
    pods.forEach((address, chain) -> targets.add(new DispatchTree.Target(address, chain)));
    return targets;
  }

  /** Follows the first matching destination rule at each level, counting rules tested. */
  private static Optional<String> walk(List<Rule> rules, Map<String, List<Rule>> chains,
      InetAddress address, int[] crossed) {
    for (Rule rule : rules) {
      crossed[0]++;
      Match.Address match = (Match.Address) rule.matches().get(0);
      if (match.cidr().contains(address)) {
        String target = rule.action().jumpTarget().orElseThrow();
        List<Rule> inner = chains.get(target);
        return inner == null ? Optional.of(target) : walk(inner, chains, address, crossed);
      }
    }
    return Optional.empty();
  }

  private static List<InetAddress> addresses(int count,
      IntFunction<String> address) {
    return IntStream.range(0, count).mapToObj(address).distinct()
        .map(InetAddresses::forString).toList();
  }
}
