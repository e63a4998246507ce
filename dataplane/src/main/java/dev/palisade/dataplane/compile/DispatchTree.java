package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.Maps;
import com.google.common.primitives.UnsignedBytes;
import dev.palisade.dataplane.rules.Action;
import dev.palisade.dataplane.rules.Chain;
import dev.palisade.dataplane.rules.Match;
import dev.palisade.dataplane.rules.Match.Side;
import dev.palisade.dataplane.rules.Rule;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dispatches a packet to the chain of the local pod it belongs to (by source address for
 * egress, destination for ingress) through a binary tree over the pods' addresses, so that the
 * rules a packet crosses grow with the logarithm of the local pod count, not linearly.
 *
 * <p>A group of at most {@link #LEAF_CAPACITY} pods is a leaf: one {@code -s ip/32 -g pod}
 * rule each. A larger group splits at the first address bit where its members differ (a
 * compressed binary trie); each half of more than one pod gets a chain named after its common
 * prefix block, entered by one {@code -s block -g chain} rule. A packet therefore crosses at
 * most 2 rules per level and {@link #LEAF_CAPACITY} at the leaf: for 110 pods of one /24,
 * 4 levels and at most 16 rules. Chains are named after their block, so adding a pod renames
 * only the chains on its own path whose block changes.
 *
 * <p>The tree goes by goto ({@code -g}), not jump: the blocks of one level are disjoint, so
 * once a packet has entered a block no rule after that block's can match it, and when the pod
 * chain returns the packet leaves the whole tree and its stage chain at once instead of testing
 * the remaining rules of every level on the way back up (the stage chain ends with the tree).
 */
final class DispatchTree {
  static final int LEAF_CAPACITY = 8;
  /** IPv4 before IPv6 (as {@link Cidr} orders them), then by address. */
  private static final Comparator<byte[]> BY_LENGTH_THEN_BYTES =
      Comparator.<byte[]>comparingInt(bytes -> bytes.length)
          .thenComparing(UnsignedBytes.lexicographicalComparator());

  /** A local pod's address and the chain that decides its traffic. */
  record Target(InetAddress address, String chain) {}

  /**
   * The rules of the tree's root and the chains of its inner nodes, and its branches by block
   * (for the next tree of the same direction to reuse).
   */
  record Tree(ImmutableList<Rule> rootRules, ImmutableList<Chain> innerChains,
      ImmutableMap<Cidr, Branch> branches) {

    static final Tree EMPTY = new Tree(ImmutableList.of(), ImmutableList.of(), ImmutableMap.of());

    /**
     * The tree without the inner nodes whose block holds {@code address}: a tree built on it
     * rebuilds the path to the address, as a change of the pod at that address does.
     */
    Tree withoutPathTo(InetAddress address) {
      return new Tree(rootRules, innerChains, ImmutableMap.copyOf(Maps.filterKeys(branches,
          block -> !block.contains(address))));
    }
  }

  /**
   * An inner node: the targets it was built from, the rule that enters it, and the blocks of
   * the inner nodes below it, its own first.
   */
  record Branch(List<Target> targets, Rule rule, ImmutableList<Cidr> blocks, Chain chain) {}

  private final Direction direction;
  private final Side side;
  private final NameLedger ledger;
  private final StableNames names;
  private final Tree previous;
  /** In the order they were put in: the nodes below a node before the node. */
  private final Map<Cidr, Branch> branches = new LinkedHashMap<>();

  private DispatchTree(Direction direction, NameLedger ledger, StableNames names,
      Tree previous) {
    this.direction = direction;
    this.ledger = ledger;
    this.names = names;
    this.previous = previous;
    this.side = direction == Direction.INGRESS ? Side.DESTINATION : Side.SOURCE;
  }

  /** A tree of new inner nodes, their names claimed in the ledger in the tree's order. */
  static Tree build(Direction direction, List<Target> targets, NameLedger ledger,
      StableNames names) {
    return build(direction, targets, ledger, names, Tree.EMPTY);
  }

  /**
   * A tree that reuses the inner nodes of {@code previous} built from the same targets (a
   * pod's change alters the nodes on its own path only), without claiming their names again:
   * {@code ledger} must continue the one that named them.
   */
  static Tree build(Direction direction, List<Target> targets, NameLedger ledger,
      StableNames names, Tree previous) {
    // By address, each address's bytes read once: a comparator that made a host block of both
    // addresses at each comparison was a fifth of the tree's build.
    List<Map.Entry<byte[], Target>> keyed = new ArrayList<>(targets.size());
    targets.forEach(target -> keyed.add(Map.entry(target.address().getAddress(), target)));
    keyed.sort(Map.Entry.<byte[], Target>comparingByKey(BY_LENGTH_THEN_BYTES)
        .thenComparing(entry -> entry.getValue().chain()));
    List<Target> sorted = keyed.stream().map(Map.Entry::getValue).toList();
    DispatchTree tree = new DispatchTree(direction, ledger, names, previous);
    ImmutableList<Rule> root = tree.rulesFor(sorted);
    List<Chain> inner = new ArrayList<>(tree.branches.size());
    tree.branches.values().forEach(branch -> inner.add(branch.chain()));
    inner.sort(Comparator.comparing(Chain::name));
    return new Tree(root, ImmutableList.copyOf(inner), ImmutableMap.copyOf(tree.branches));
  }

  private ImmutableList<Rule> rulesFor(List<Target> group) {
    if (group.isEmpty()) {
      return ImmutableList.of();
    }
    int common = commonPrefixLength(group);
    if (group.size() <= LEAF_CAPACITY || common == bits(group)) {
      return group.stream().map(this::leafRule).collect(ImmutableList.toImmutableList());
    }
    int firstOne = 0;
    while (!bitSet(group.get(firstOne).address(), common)) {
      firstOne++;
    }
    return ImmutableList.of(branch(group.subList(0, firstOne)),
        branch(group.subList(firstOne, group.size())));
  }

  private Rule branch(List<Target> half) {
    if (half.size() == 1) {
      return leafRule(half.get(0));
    }
    Cidr block = new Cidr(half.get(0).address(), commonPrefixLength(half)).normalized();
    Branch before = previous.branches().get(block);
    if (before != null && before.targets().equals(half)) {
      before.blocks().forEach(below -> branches.put(below, previous.branches().get(below)));
      ledger.carried(before.blocks().size());
      return before.rule();
    }
    String name = ledger.claim(names.treeChain(direction, block));
    int firstBelow = branches.size();
    Chain chain = new Chain(name, rulesFor(half));
    ImmutableList.Builder<Cidr> blocks = ImmutableList.<Cidr>builder().add(block);
    // The blocks put in since this node's own: those of the nodes below it.
    branches.keySet().stream().skip(firstBelow).forEach(blocks::add);
    Rule rule = Rule.of(new Action.Goto(name), new Match.Address(side, block));
    branches.put(block, new Branch(List.copyOf(half), rule, blocks.build(), chain));
    return rule;
  }

  private Rule leafRule(Target target) {
    return Rule.of(new Action.Goto(target.chain()),
        new Match.Address(side, Cidr.host(target.address())));
  }

  /** Sorted group: the prefix all members share is the one its first and last share. */
  private static int commonPrefixLength(List<Target> group) {
    byte[] first = group.get(0).address().getAddress();
    byte[] last = group.get(group.size() - 1).address().getAddress();
    int bit = 0;
    while (bit < first.length * 8 && bitOf(first, bit) == bitOf(last, bit)) {
      bit++;
    }
    return bit;
  }

  private static int bits(List<Target> group) {
    return group.get(0).address().getAddress().length * 8;
  }

  private static boolean bitSet(InetAddress address, int bit) {
    return bitOf(address.getAddress(), bit) == 1;
  }

  private static int bitOf(byte[] bytes, int bit) {
    return (bytes[bit / 8] >> (7 - bit % 8)) & 1;
  }
}
