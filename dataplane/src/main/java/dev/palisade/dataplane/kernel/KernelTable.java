package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.IpFamily;

/**
 * What Palisade owns in one family's filter table, as read from the kernel: its chains with
 * their rules in order, and per built-in chain the jumps into Palisade chains with their
 * positions. Foreign rules are not kept, only counted (the size of each built-in chain), which is
 * all the hook planner needs to place a jump; the exception are foreign rules in user chains
 * that jump into a Palisade chain, because the kernel refuses to delete a chain they reference.
 *
 * @param foreignJumps Palisade chain → the foreign user-chain rules that jump into it, each as
 *     {@code -A <chain> <rule>}
 */
public record KernelTable(IpFamily family,
    ImmutableSortedMap<String, ImmutableList<RuleText>> chains,
    ImmutableSortedMap<String, BuiltinChain> builtins,
    ImmutableSortedMap<String, ImmutableList<String>> foreignJumps) {

  /**
   * A built-in chain's size and the Palisade jumps in it, by 1-based position.
   *
   * @param otherInstallationsHooks positions of foreign rules that carry a {@code pal:} hash:
   *     another Palisade installation's jumps, which the hook planner looks through (both
   *     installations want the top of the chain; neither may push the other down forever)
   */
  public record BuiltinChain(String name, int size, ImmutableList<PositionedRule> hooks,
      ImmutableList<Integer> otherInstallationsHooks) {}

  public record PositionedRule(int position, RuleText rule) {}

  public static KernelTable empty(IpFamily family) {
    return new KernelTable(family, ImmutableSortedMap.of(), ImmutableSortedMap.of(),
        ImmutableSortedMap.of());
  }

  public BuiltinChain builtin(String name) {
    return builtins.getOrDefault(name,
        new BuiltinChain(name, 0, ImmutableList.of(), ImmutableList.of()));
  }
}
