package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableList;
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
import java.util.List;
import java.util.Map;

/**
 * Dispatches a packet to the chain of the local pod it belongs to (by source address for
 * egress, destination for ingress) through a binary tree over the pods' addresses, so that the
 * rules a packet crosses grow with the logarithm of the local pod count, not linearly.
 *
 * <p>A group of at most {@link #LEAF_CAPACITY} pods is a leaf: one {@code -s ip/32 -j pod}
 * rule each. A larger group splits at the first address bit where its members differ (a
 * compressed binary trie); each half of more than one pod gets a chain named after its common
 * prefix block, entered by one {@code -s block -j chain} rule. A packet therefore crosses at
 * most 2 rules per level and {@link #LEAF_CAPACITY} at the leaf: for 110 pods of one /24,
 * 4 levels and at most 16 rules. Chains are named after their block, so adding a pod renames
 * only the chains on its own path whose block changes.
 */
final class DispatchTree {
  static final int LEAF_CAPACITY = 8;
  /** IPv4 before IPv6 (as {@link Cidr} orders them), then by address. */
  private static final Comparator<byte[]> BY_LENGTH_THEN_BYTES =
      Comparator.<byte[]>comparingInt(bytes -> bytes.length)
          .thenComparing(UnsignedBytes.lexicographicalComparator());

  /** A local pod's address and the chain that decides its traffic. */
  record Target(InetAddress address, String chain) {}

  /** The rules of the tree's root and the chains of its inner nodes. */
  record Tree(ImmutableList<Rule> rootRules, ImmutableList<Chain> innerChains) {}

  private final Direction direction;
  private final Side side;
  private final NameLedger ledger;
  private final StableNames names;
  private final List<Chain> innerChains = new ArrayList<>();

  private DispatchTree(Direction direction, NameLedger ledger, StableNames names) {
    this.direction = direction;
    this.ledger = ledger;
    this.names = names;
    this.side = direction == Direction.INGRESS ? Side.DESTINATION : Side.SOURCE;
  }

  static Tree build(Direction direction, List<Target> targets, NameLedger ledger,
      StableNames names) {
    // By address, each address's bytes read once: a comparator that made a host block of both
    // addresses at each comparison was a fifth of the tree's build.
    List<Map.Entry<byte[], Target>> keyed = new ArrayList<>(targets.size());
    targets.forEach(target -> keyed.add(Map.entry(target.address().getAddress(), target)));
    keyed.sort(Map.Entry.<byte[], Target>comparingByKey(BY_LENGTH_THEN_BYTES)
        .thenComparing(entry -> entry.getValue().chain()));
    List<Target> sorted = keyed.stream().map(Map.Entry::getValue).toList();
    DispatchTree tree = new DispatchTree(direction, ledger, names);
    ImmutableList<Rule> root = tree.rulesFor(sorted);
    List<Chain> inner = new ArrayList<>(tree.innerChains);
    inner.sort(Comparator.comparing(Chain::name));
    return new Tree(root, ImmutableList.copyOf(inner));
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
    String name = ledger.claim(names.treeChain(direction, block));
    innerChains.add(new Chain(name, rulesFor(half)));
    return Rule.of(new Action.Jump(name), new Match.Address(side, block));
  }

  private Rule leafRule(Target target) {
    return Rule.of(new Action.Jump(target.chain()),
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
