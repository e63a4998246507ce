package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Remote addresses as the program sees them: prefixes whose longest match gives an address's
 * identity, the exact set of peer classes (a selector's pods, an ipBlock minus its excepts, ...)
 * it belongs to.
 *
 * <p>An ipBlock's {@code except} needs no splitting into disjoint prefixes: the trie takes the
 * longest matching prefix, so the except is a prefix of its own whose class set leaves the block
 * out. Every prefix a class names (its cidrs, its excepts, its pods' host prefixes) enters the
 * table; an address's longest match P is contained in every named prefix that contains the
 * address, so "in class k" is decided for the whole of P: some block of k has a cidr that
 * contains P and no except of that block contains P. A prefix whose set equals that of the
 * prefix enclosing it adds nothing and is left out; an except under a class prefix, outside
 * every other class, keeps identity 0 (world).
 *
 * <p>Identities are interned across computations ({@link Interner}): a class set keeps its
 * number while it exists, so the verdicts that name it stay put; a new set gets a number never
 * used before (u32 does not run out), so a stale verdict can never apply to a new set.
 */
public final class IdentityTable {
  /** Identity 0: addresses in no class (outside every prefix). */
  public static final int WORLD = 0;

  private final ImmutableSortedMap<Cidr, Integer> prefixes;
  private final ImmutableSortedMap<Integer, ImmutableSortedSet<String>> classes;

  private IdentityTable(ImmutableSortedMap<Cidr, Integer> prefixes,
      ImmutableSortedMap<Integer, ImmutableSortedSet<String>> classes) {
    this.prefixes = prefixes;
    this.classes = classes;
  }

  /** The map contents: prefix → identity. */
  public ImmutableSortedMap<Cidr, Integer> prefixes() {
    return prefixes;
  }

  /** Identity → the classes its addresses belong to (world: none, not listed). */
  public ImmutableSortedMap<Integer, ImmutableSortedSet<String>> classes() {
    return classes;
  }

  /** Every identity whose addresses belong to {@code peerClass}. */
  public ImmutableSortedSet<Integer> identitiesOf(String peerClass) {
    ImmutableSortedSet.Builder<Integer> out = ImmutableSortedSet.naturalOrder();
    classes.forEach((identity, members) -> {
      if (members.contains(peerClass)) {
        out.add(identity);
      }
    });
    return out.build();
  }

  /** The identity of one address, by longest prefix match (as the program computes it). */
  public int identityOf(java.net.InetAddress address) {
    Cidr best = null;
    for (Cidr prefix : prefixes.keySet()) {
      if (prefix.contains(address) && (best == null
          || prefix.prefixLength() > best.prefixLength())) {
        best = prefix;
      }
    }
    return best == null ? WORLD : prefixes.get(best);
  }

  /**
   * The table for these peer classes (class name → its ipBlocks; a pod is a host prefix without
   * excepts), numbering class sets with {@code interner}.
   */
  public static IdentityTable compute(Map<String, ? extends Collection<IpBlock>> peerClasses,
      Interner interner) {
    SortedSet<Cidr> named = new TreeSet<>();
    peerClasses.values().forEach(blocks -> blocks.forEach(block -> {
      named.add(block.cidr().normalized());
      block.except().forEach(except -> named.add(except.normalized()));
    }));
    // shortest first, so that a prefix's enclosing prefixes are decided before it
    List<Cidr> byLength = new ArrayList<>(named);
    byLength.sort((a, b) -> a.prefixLength() != b.prefixLength()
        ? Integer.compare(a.prefixLength(), b.prefixLength()) : a.compareTo(b));
    Map<Cidr, ImmutableSortedSet<String>> setOf = new HashMap<>();
    TreeMap<Cidr, Integer> prefixes = new TreeMap<>();
    TreeMap<Integer, ImmutableSortedSet<String>> classes = new TreeMap<>();
    for (Cidr prefix : byLength) {
      ImmutableSortedSet<String> members = membersOf(prefix, peerClasses);
      setOf.put(prefix, members);
      ImmutableSortedSet<String> enclosing = enclosingSet(prefix, byLength, setOf);
      if (members.equals(enclosing)) {
        continue;
      }
      int identity = members.isEmpty() ? WORLD : interner.identity(members);
      prefixes.put(prefix, identity);
      if (identity != WORLD) {
        classes.put(identity, members);
      }
    }
    return new IdentityTable(ImmutableSortedMap.copyOfSorted(prefixes),
        ImmutableSortedMap.copyOfSorted(classes));
  }

  private static ImmutableSortedSet<String> membersOf(Cidr prefix,
      Map<String, ? extends Collection<IpBlock>> peerClasses) {
    ImmutableSortedSet.Builder<String> members = ImmutableSortedSet.naturalOrder();
    peerClasses.forEach((name, blocks) -> {
      for (IpBlock block : blocks) {
        if (contains(block.cidr(), prefix)
            && block.except().stream().noneMatch(except -> contains(except, prefix))) {
          members.add(name);
          return;
        }
      }
    });
    return members.build();
  }

  /** The class set of the longest named prefix strictly containing {@code prefix}. */
  private static ImmutableSortedSet<String> enclosingSet(Cidr prefix, List<Cidr> byLength,
      Map<Cidr, ImmutableSortedSet<String>> setOf) {
    Cidr best = null;
    for (Cidr candidate : byLength) {
      if (candidate.prefixLength() >= prefix.prefixLength()) {
        break;
      }
      if (contains(candidate, prefix)) {
        best = candidate;
      }
    }
    return best == null ? ImmutableSortedSet.of() : setOf.get(best);
  }

  private static boolean contains(Cidr outer, Cidr inner) {
    return outer.family() == inner.family() && outer.normalized().contains(inner.normalized());
  }

  /** Numbers class sets; a set keeps its number, a new set gets a fresh one. Not thread-safe. */
  public static final class Interner {
    private final Map<ImmutableSortedSet<String>, Integer> numbers = new HashMap<>();
    private int next = 1;

    public int identity(ImmutableSortedSet<String> members) {
      if (members.isEmpty()) {
        return WORLD;
      }
      return numbers.computeIfAbsent(members, unused -> next++);
    }

    /** Forgets sets not in {@code live}; their numbers are never given again. */
    public void retainOnly(Collection<ImmutableSortedSet<String>> live) {
      numbers.keySet().retainAll(new HashSet<>(live));
    }
  }
}
