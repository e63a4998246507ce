package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.collect.Maps;
import com.google.common.collect.Sets;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.plan.Endpoint;
import dev.palisade.dataplane.plan.FamilyPlan;
import dev.palisade.dataplane.plan.Member;
import dev.palisade.dataplane.plan.PeerClass;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.IpSetType;
import dev.palisade.model.Direction;
import dev.palisade.model.IpBlock;
import dev.palisade.model.IpFamily;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.NamespaceScope;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The ipsets of one family: one per peer class of the plan (a selector, an ipBlock, an ingress
 * named port of a policy, an egress named port towards a peer), created on first use and shared
 * by every rule that uses it, plus the node's own gate sets. Each method returns the set's name.
 *
 * <p>A set of the previous compilation with the same name whose class has the very same members
 * object in the plan (the planner reuses untouched members) is reused as it is: recompiling a
 * node after a policy change renders the members of its changed sets only, and unchanged sets
 * stay the same objects, which the kernel writer compares by identity first.
 */
final class SetCatalog {
  /** Re-render a set from its previous text when at most one member in this many changed. */
  private static final int INCREMENTAL_RATIO = 8;

  private final FamilyPlan plan;
  private final IpFamily family;
  private final NameLedger ledger;
  private final StableNames names;
  private final ImmutableSortedMap<String, CompiledSet> previous;
  private final Map<PeerClass, GeneratedName> previousNames;
  private final Map<String, CompiledSet> sets = new HashMap<>();
  private final Map<PeerClass, GeneratedName> generatedNames = new IdentityHashMap<>();

  /**
   * @param previousNames the generated names of the previous compilation's classes, by class
   *     object: a class of the plan that is the same object (a policy's unchanged allow rules)
   *     is not named again (a selector's name renders it as text twice)
   */
  SetCatalog(FamilyPlan plan, NameLedger ledger, StableNames names,
      ImmutableSortedMap<String, CompiledSet> previous,
      Map<PeerClass, GeneratedName> previousNames) {
    this.plan = plan;
    this.family = plan.family();
    this.ledger = ledger;
    this.names = names;
    this.previous = previous;
    this.previousNames = previousNames;
  }

  /**
   * A set and what it was rendered from: a peer class and its members in the plan, or nothing
   * for the node's own gate sets, which every compilation renders anew.
   */
  record CompiledSet(IpSetSpec spec, Optional<PeerClass> source, ImmutableSet<Member> from) {

    /** The set rendered again when its class's members in {@code plan} are other objects. */
    CompiledSet refreshedFrom(FamilyPlan plan) {
      if (source.isEmpty()) {
        return this;
      }
      ImmutableSet<Member> now = plan.members(source.get());
      return now == from ? this : new CompiledSet(rerendered(now), source, now);
    }

    /**
     * The spec for new members of the same class: when few changed, the previous member text
     * with the removed members taken out and the added ones put in, which at tens of thousands
     * of members is far cheaper than rendering and sorting them all again (a member's text is
     * a function of the member, one to one).
     */
    IpSetSpec rerendered(ImmutableSet<Member> members) {
      // Each difference taken once: a view's size and walk would each test every member again.
      List<Member> removed = List.copyOf(Sets.difference(from, members));
      List<Member> added = List.copyOf(Sets.difference(members, from));
      if ((long) (removed.size() + added.size()) * INCREMENTAL_RATIO > members.size()) {
        return SetCatalog.spec(spec.name(), spec.type(), spec.family(), members);
      }
      Set<String> gone = new HashSet<>();
      removed.forEach(member -> gone.add(SetMemberText.of(member)));
      TreeSet<String> put = new TreeSet<>();
      added.forEach(member -> put.add(SetMemberText.of(member)));
      return new IpSetSpec(spec.name(), spec.type(), spec.family(),
          merged(spec.members(), gone, put));
    }

    /**
     * {@code members} without {@code gone} and with {@code put}, in one ordered pass: a copy of
     * the members into a tree, to change a few of them, was the largest allocation of a
     * set-only sync at 10,000 pods (a {@code namespaceSelector: {}} set holds them all).
     */
    private static ImmutableSortedSet<String> merged(ImmutableSortedSet<String> members,
        Set<String> gone, SortedSet<String> put) {
      // At most every member and every added text.
      String[] merged = new String[members.size() + put.size()];
      int size = 0;
      Iterator<String> adds = put.iterator();
      String add = adds.hasNext() ? adds.next() : null;
      for (String member : members) {
        while (add != null && add.compareTo(member) < 0) {
          merged[size++] = add;
          add = adds.hasNext() ? adds.next() : null;
        }
        if (add != null && add.equals(member)) {
          // taken out and put back: kept, once
          merged[size++] = member;
          add = adds.hasNext() ? adds.next() : null;
        } else if (!gone.contains(member)) {
          merged[size++] = member;
        }
      }
      while (add != null) {
        merged[size++] = add;
        add = adds.hasNext() ? adds.next() : null;
      }
      return ImmutableSortedSet.copyOfSorted(new InOrder(merged, size));
    }
  }

  /**
   * Texts in their natural order, as a sorted set for {@link ImmutableSortedSet#copyOfSorted},
   * which takes them as they are: {@code copyOf} would sort them again, two string comparisons
   * per member of a set of up to tens of thousands. Only what that copy reads is supported.
   */
  private static final class InOrder extends AbstractSet<String> implements SortedSet<String> {
    private final String[] texts;
    private final int size;

    InOrder(String[] texts, int size) {
      this.texts = texts;
      this.size = size;
    }

    @Override
    public Iterator<String> iterator() {
      return Arrays.asList(texts).subList(0, size).iterator();
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public Object[] toArray() {
      return Arrays.copyOf(texts, size, Object[].class);
    }

    @Override
    public Comparator<? super String> comparator() {
      return null;
    }

    @Override
    public String first() {
      return texts[0];
    }

    @Override
    public String last() {
      return texts[size - 1];
    }

    @Override
    public SortedSet<String> subSet(String from, String to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedSet<String> headSet(String to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedSet<String> tailSet(String from) {
      throw new UnsupportedOperationException();
    }

  }

  /** The local pods isolated in a direction (members: their addresses). */
  String isolated(Direction direction, Collection<Endpoint> endpoints) {
    return defineLocal(names.isolatedSet(family, direction), endpoints);
  }

  /** Every endpoint of the node in the family (fail-closed: the known pods). */
  String localPods(Collection<Endpoint> endpoints) {
    return defineLocal(names.localPodsSet(family), endpoints);
  }

  /** The addresses of the pods a selector matches, wherever they run. */
  String selector(PeerClass.Selected selected) {
    String name = ledger.claim(generated(selected, () -> {
      PeerSelector selector = selected.selector();
      return names.selectorSet(family, readable(selector), selector.toString());
    }));
    return define(name, IpSetType.HASH_IP, selected);
  }

  /** The ranges of an ipBlock of this family, its excepts as {@code nomatch}. */
  String block(PeerClass.Block block) {
    String name = ledger.claim(generated(block, () -> names.blockSet(family,
        IpBlockEntries.text(block.block().cidr().normalized()),
        String.join(",", IpBlockEntries.of(block.block())))));
    return define(name, IpSetType.HASH_NET, block);
  }

  /** (pod address, protocol:number) of the selected local pods that declare the name. */
  String ingressPort(PeerClass.IngressNamedPort port) {
    ObjectRef ref = port.policy();
    String name = ledger.claim(generated(port, () -> names.ingressPortSet(family,
        ref.namespace() + "." + ref.name() + "." + port.port().name(),
        ref + "|" + port.port())));
    return define(name, IpSetType.HASH_IP_PORT, port);
  }

  /** (peer address, protocol:number) of the peer's pods that declare the name. */
  String egressPort(PeerClass.EgressNamedPort port) {
    Optional<Peer> peer = port.peer();
    String name = ledger.claim(generated(port, () -> names.egressPortSet(family,
        port.port().name() + "." + peer.map(this::readable).orElse("all"),
        peer.map(this::peerIdentity).orElse("all") + "|" + port.port())));
    return define(name, IpSetType.HASH_IP_PORT, port);
  }

  /**
   * Defines the previous compilation's set of this name as it was, its members refreshed from
   * the plan, and keeps its class's generated name: for a policy chain carried over, whose
   * sets keep their names.
   */
  void carry(String name) {
    sets.computeIfAbsent(name, unused -> {
      CompiledSet before = previous.get(name);
      before.source().ifPresent(source -> generatedNames.put(source, previousNames.get(source)));
      return before.refreshedFrom(plan);
    });
  }

  /**
   * Carries every set of the previous compilation that a class's members fill (not the node's
   * gate sets): for a compilation whose policy chains are all the previous ones.
   */
  void carryClassSets() {
    previous.forEach((name, set) -> {
      if (set.source().isPresent()) {
        carry(name);
      }
    });
  }

  /**
   * Every set defined so far; in the previous compilation's order when the names are its names
   * (most compilations), which spares sorting hundreds of long, alike names again.
   */
  ImmutableSortedMap<String, CompiledSet> build() {
    if (sets.size() == previous.size() && previous.keySet().stream().allMatch(sets::containsKey)) {
      return ImmutableSortedMap.copyOfSorted(
          Maps.transformEntries(previous, (name, unused) -> sets.get(name)));
    }
    return ImmutableSortedMap.copyOf(sets);
  }

  /** The generated names of this compilation's classes, by class object, for the next one. */
  Map<PeerClass, GeneratedName> generatedNames() {
    return generatedNames;
  }

  /** The class's generated name: the previous compilation's for the same object, or new. */
  private GeneratedName generated(PeerClass peerClass, Supplier<GeneratedName> generate) {
    GeneratedName name = generatedNames.get(peerClass);
    if (name == null) {
      GeneratedName before = previousNames.get(peerClass);
      name = before != null ? before : generate.get();
      generatedNames.put(peerClass, name);
    }
    return name;
  }

  private String define(String name, IpSetType type, PeerClass peerClass) {
    ImmutableSet<Member> members = plan.members(peerClass);
    sets.computeIfAbsent(name, unused -> {
      CompiledSet before = previous.get(name);
      if (before == null || before.spec().type() != type
          || !before.source().equals(Optional.of(peerClass))) {
        return new CompiledSet(spec(name, type, family, members), Optional.of(peerClass),
            members);
      }
      return before.from() == members ? before
          : new CompiledSet(before.rerendered(members), Optional.of(peerClass), members);
    });
    return name;
  }

  private String defineLocal(String name, Collection<Endpoint> endpoints) {
    Supplier<Stream<String>> addresses = () -> endpoints.stream()
        .map(endpoint -> InetAddresses.toAddrString(endpoint.address(family)));
    sets.computeIfAbsent(name, unused -> new CompiledSet(new IpSetSpec(name, IpSetType.HASH_IP,
        family, addresses.get().collect(ImmutableSortedSet.toImmutableSortedSet(
            String::compareTo))), Optional.empty(), ImmutableSet.of()));
    return name;
  }

  private static IpSetSpec spec(String name, IpSetType type, IpFamily family,
      ImmutableSet<Member> members) {
    return new IpSetSpec(name, type, family, members.stream().map(SetMemberText::of)
        .collect(ImmutableSortedSet.toImmutableSortedSet(String::compareTo)));
  }

  private String peerIdentity(Peer peer) {
    return peer instanceof PeerSelector selector ? "selector:" + selector
        : "block:" + String.join(",", IpBlockEntries.of((IpBlock) peer));
  }

  private String readable(Peer peer) {
    if (peer instanceof IpBlock block) {
      return IpBlockEntries.text(block.cidr().normalized());
    }
    PeerSelector selector = (PeerSelector) peer;
    String namespaces = selector.namespaces() instanceof NamespaceScope.Named named
        ? named.namespace()
        : "ns_" + everythingOr(((NamespaceScope.Matching) selector.namespaces()).selector());
    return namespaces + "." + everythingOr(selector.pods());
  }

  private static String everythingOr(LabelSelector selector) {
    return selector.matchesEverything() ? "all" : selector.toString();
  }
}
