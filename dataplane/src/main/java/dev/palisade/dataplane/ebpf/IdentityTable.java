package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** Every identity the table numbers, and the world's. */
  public ImmutableSortedSet<Integer> everyIdentity() {
    return ImmutableSortedSet.<Integer>naturalOrder().add(WORLD).addAll(prefixes.values()).build();
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

  /** Equal tables number the same prefixes and class sets alike: equal map contents. */
  @Override
  public boolean equals(Object other) {
    return other instanceof IdentityTable table && prefixes.equals(table.prefixes)
        && classes.equals(table.classes);
  }

  @Override
  public int hashCode() {
    return prefixes.hashCode() * 31 + classes.hashCode();
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
   *
   * <p>One sweep over the named prefixes in the order of a walk of the prefix tree (a prefix
   * before the prefixes inside it: {@link Cidr}'s order), keeping the chain of prefixes that
   * contain the current one and, per class, how many of its blocks are entered and not taken
   * out by an except on that chain. A class set costs its size at each prefix, so a table of
   * tens of thousands of pod addresses takes time linear in them, not in their square.
   */
  public static IdentityTable compute(Map<String, ? extends Collection<IpBlock>> peerClasses,
      Interner interner) {
    TreeMap<Cidr, Marks> marks = new TreeMap<>();
    peerClasses.forEach((name, blocks) -> {
      for (IpBlock block : blocks) {
        Block marked = new Block(name);
        marks.computeIfAbsent(block.cidr().normalized(), unused -> new Marks()).starts
            .add(marked);
        block.except().forEach(except -> marks.computeIfAbsent(except.normalized(),
            unused -> new Marks()).excepts.add(marked));
      }
    });
    Sweep sweep = new Sweep();
    // each class set with its prefixes, numbered in the order the sets first appear
    Map<ImmutableSortedSet<String>, List<Cidr>> sets = new LinkedHashMap<>();
    marks.forEach((prefix, marked) -> {
      ImmutableSortedSet<String> enclosing = sweep.enter(prefix, marked);
      ImmutableSortedSet<String> members = sweep.classes();
      if (!members.equals(enclosing)) {
        sets.computeIfAbsent(members, unused -> new ArrayList<>()).add(prefix);
      }
    });
    TreeMap<Cidr, Integer> prefixes = new TreeMap<>();
    TreeMap<Integer, ImmutableSortedSet<String>> classes = new TreeMap<>();
    sets.forEach((members, setPrefixes) -> {
      int identity = interner.identity(members, setPrefixes);
      setPrefixes.forEach(prefix -> prefixes.put(prefix, identity));
      if (identity != WORLD) {
        classes.put(identity, members);
      }
    });
    return new IdentityTable(ImmutableSortedMap.copyOfSorted(prefixes),
        ImmutableSortedMap.copyOfSorted(classes));
  }

  /** One ipBlock of a class; blocks are told apart by identity. */
  private static final class Block {
    final String peerClass;
    boolean entered;
    int excepted;

    Block(String peerClass) {
      this.peerClass = peerClass;
    }
  }

  /** The blocks whose cidr a prefix is, and those it is an except of. */
  private static final class Marks {
    final List<Block> starts = new ArrayList<>();
    final List<Block> excepts = new ArrayList<>();
  }

  /** The chain of named prefixes containing the current one, and what they make of classes. */
  private static final class Sweep {
    private final Deque<Cidr> chain = new ArrayDeque<>();
    private final Deque<Marks> chainMarks = new ArrayDeque<>();
    private final Deque<ImmutableSortedSet<String>> chainClasses = new ArrayDeque<>();
    /** Per class, its blocks that are entered and not excepted. */
    private final Map<String, Integer> counts = new HashMap<>();
    private final TreeSet<String> current = new TreeSet<>();

    /** Moves to {@code prefix}; returns the class set of the prefix enclosing it. */
    ImmutableSortedSet<String> enter(Cidr prefix, Marks marks) {
      while (!chain.isEmpty() && !chain.peek().contains(prefix)) {
        chain.pop();
        chainClasses.pop();
        leave(chainMarks.pop());
      }
      ImmutableSortedSet<String> enclosing = chainClasses.isEmpty() ? ImmutableSortedSet.of()
          : chainClasses.peek();
      for (Block block : marks.starts) {
        block.entered = true;
        if (block.excepted == 0) {
          count(block.peerClass, 1);
        }
      }
      for (Block block : marks.excepts) {
        if (block.excepted++ == 0 && block.entered) {
          count(block.peerClass, -1);
        }
      }
      chain.push(prefix);
      chainMarks.push(marks);
      chainClasses.push(ImmutableSortedSet.copyOfSorted(current));
      return enclosing;
    }

    /** The classes of the current prefix. */
    ImmutableSortedSet<String> classes() {
      return chainClasses.peek();
    }

    /** Undoes what entering a prefix did, in the reverse order. */
    private void leave(Marks marks) {
      for (Block block : marks.excepts) {
        if (--block.excepted == 0 && block.entered) {
          count(block.peerClass, 1);
        }
      }
      for (Block block : marks.starts) {
        if (block.excepted == 0) {
          count(block.peerClass, -1);
        }
        block.entered = false;
      }
    }

    private void count(String peerClass, int change) {
      int now = counts.merge(peerClass, change, Integer::sum);
      if (now > 0) {
        current.add(peerClass);
      } else {
        current.remove(peerClass);
      }
    }
  }

  /**
   * Numbers class sets; a set keeps its number, a new set gets a fresh one. Not thread-safe.
   *
   * <p>A restarted agent first {@link #adopt adopts} the numbering its predecessor left in the
   * maps: until {@link #endAdoption}, a new set whose prefixes are exactly those the maps give
   * one identity takes that identity, so the first apply rewrites nothing that did not change;
   * every fresh number is above every number found, so no verdict left in the maps can apply to
   * a set it was not written for.
   */
  public static final class Interner {
    private final Map<ImmutableSortedSet<String>, Integer> numbers = new HashMap<>();
    private int next = 1;
    private Map<Cidr, Integer> found = Map.of();
    private Map<Integer, Set<Cidr>> foundPrefixes = Map.of();
    private final Set<Integer> adopted = new HashSet<>();

    public int identity(ImmutableSortedSet<String> members) {
      return identity(members, List.of());
    }

    /** The number of a set whose prefixes in the table are {@code prefixes}. */
    public int identity(ImmutableSortedSet<String> members, Collection<Cidr> prefixes) {
      if (members.isEmpty()) {
        return WORLD;
      }
      Integer known = numbers.get(members);
      if (known != null) {
        return known;
      }
      int number = prefixes.isEmpty() ? 0 : found.getOrDefault(prefixes.iterator().next(), 0);
      if (number == WORLD || adopted.contains(number)
          || !foundPrefixes.get(number).equals(new HashSet<>(prefixes))) {
        number = next++;
      } else {
        adopted.add(number);
      }
      numbers.put(members, number);
      return number;
    }

    /**
     * Takes over the numbering found in the maps: {@code prefixes} (prefix → identity), and the
     * highest identity anything in the maps names (verdicts included).
     */
    public void adopt(Map<Cidr, Integer> prefixes, int highest) {
      found = Map.copyOf(prefixes);
      Map<Integer, Set<Cidr>> byIdentity = new HashMap<>();
      prefixes.forEach((prefix, identity) ->
          byIdentity.computeIfAbsent(identity, unused -> new HashSet<>()).add(prefix));
      foundPrefixes = byIdentity;
      next = Math.max(next, highest + 1);
    }

    /** Ends the adoption: later new sets get fresh numbers only. */
    public void endAdoption() {
      found = Map.of();
      foundPrefixes = Map.of();
      adopted.clear();
    }

    /** Forgets sets not in {@code live}; their numbers are never given again. */
    public void retainOnly(Collection<ImmutableSortedSet<String>> live) {
      numbers.keySet().retainAll(new HashSet<>(live));
    }
  }
}
