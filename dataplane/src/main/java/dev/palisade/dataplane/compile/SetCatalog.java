package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
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
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher.NamedPort;
import dev.palisade.model.RuleGraph;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The ipsets of one family, created on first use and shared by every rule that uses them: one
 * set per distinct normalized selector, per distinct ipBlock, per ingress named port of a policy
 * and per egress named port towards a peer. Each method returns the set's name.
 *
 * <p>Each set is kept with its {@link SetSource}. A set of the previous compilation ({@link
 * SetMemo}) with the same name and source that the changes since did not touch is reused as it
 * is, members and all: recompiling a node after a policy change then recomputes the members of
 * its new sets only, and unchanged sets stay the same objects, which the kernel writer compares
 * by identity first.
 */
final class SetCatalog {
  private final RuleGraph graph;
  private final IpFamily family;
  private final NameLedger ledger;
  private final StableNames names;
  private final SetMemo memo;
  private final Map<String, CompiledSet> sets = new HashMap<>();

  SetCatalog(RuleGraph graph, IpFamily family, NameLedger ledger, StableNames names,
      SetMemo memo) {
    this.graph = graph;
    this.family = family;
    this.ledger = ledger;
    this.names = names;
    this.memo = memo;
  }

  /** A catalog that only recomputes sets of a previous compilation ({@link #refreshed}). */
  static SetCatalog refreshing(RuleGraph graph, IpFamily family) {
    return new SetCatalog(graph, family, null, null, SetMemo.NONE);
  }

  /** A set and what its members are computed from. */
  record CompiledSet(IpSetSpec spec, SetSource source) {}

  /** The set with its members computed anew from the graph as it is now. */
  CompiledSet refreshed(CompiledSet set) {
    return new CompiledSet(spec(set.spec().name(), set.spec().type(),
        clusterMembers(set.source())), set.source());
  }

  /** The local pods isolated in a direction (members: their addresses). */
  String isolated(Direction direction, Collection<Pod> pods) {
    return define(names.isolatedSet(family, direction), IpSetType.HASH_IP,
        new SetSource.NodeLocal(), () -> pods.stream().map(this::address));
  }

  /** Every local endpoint pod of the family (fail-closed: the known pods). */
  String localPods(Collection<Pod> pods) {
    return define(names.localPodsSet(family), IpSetType.HASH_IP, new SetSource.NodeLocal(),
        () -> pods.stream().filter(pod -> pod.ip(family).isPresent()).map(this::address));
  }

  /** The addresses of the pods a selector matches, wherever they run. */
  String selector(PeerSelector selector) {
    String name = ledger.claim(
        names.selectorSet(family, readable(selector), selector.toString()));
    return define(name, IpSetType.HASH_IP, new SetSource.SelectorMembers(selector));
  }

  /** The blocks of an ipBlock of this family, its excepts as {@code nomatch}. */
  String block(IpBlock block) {
    ImmutableSortedSet<String> entries = IpBlockEntries.of(block);
    String identity = String.join(",", entries);
    String name = ledger.claim(names.blockSet(family,
        IpBlockEntries.text(block.cidr().normalized()), identity));
    return define(name, IpSetType.HASH_NET, new SetSource.Block(block));
  }

  /**
   * An ingress named port resolves on the pod that receives the traffic, the selected local
   * pod: (pod address, protocol:number) for each selected pod that declares the name.
   */
  String ingressPort(Policy policy, NamedPort port, Collection<Pod> selectedLocalPods) {
    ObjectRef ref = policy.ref();
    String identity = ref + "|" + port;
    String name = ledger.claim(names.ingressPortSet(family,
        ref.namespace() + "." + ref.name() + "." + port.name(), identity));
    return define(name, IpSetType.HASH_IP_PORT, new SetSource.NodeLocal(),
        () -> selectedLocalPods.stream().flatMap(pod -> portEntry(pod, port)));
  }

  /**
   * An egress named port resolves on the peer pod that receives the traffic: (peer address,
   * protocol:number) for each pod of the peer (every pod when the rule names no peer) that
   * declares the name. An external address has no named ports and never matches.
   */
  String egressPort(Optional<Peer> peer, NamedPort port) {
    String peerIdentity = peer.map(this::peerIdentity).orElse("all");
    String identity = peerIdentity + "|" + port;
    String readable = port.name() + "." + peer.map(this::readable).orElse("all");
    String name = ledger.claim(names.egressPortSet(family, readable, identity));
    return define(name, IpSetType.HASH_IP_PORT, new SetSource.EgressNamedPort(peer, port));
  }

  /** Every set defined so far, with its source. */
  ImmutableSortedMap<String, CompiledSet> build() {
    return ImmutableSortedMap.copyOf(sets);
  }

  /** Defines a set whose members follow the cluster beyond the node (reusable when untouched). */
  private String define(String name, IpSetType type, SetSource source) {
    return define(name, type, source, () -> clusterMembers(source));
  }

  /**
   * Defines the set on first use: the previous compilation's set when it is reusable, else
   * with {@code members}, computed only then.
   */
  private String define(String name, IpSetType type, SetSource source,
      Supplier<Stream<String>> members) {
    sets.computeIfAbsent(name, unused -> memo.reusable(name, type, source)
        .orElseGet(() -> new CompiledSet(spec(name, type, members.get()), source)));
    return name;
  }

  private IpSetSpec spec(String name, IpSetType type, Stream<String> members) {
    return new IpSetSpec(name, type, family,
        members.collect(ImmutableSortedSet.toImmutableSortedSet(String::compareTo)));
  }

  private Stream<String> clusterMembers(SetSource source) {
    if (source instanceof SetSource.SelectorMembers selector) {
      return members(selector.selector()).map(this::address);
    }
    if (source instanceof SetSource.EgressNamedPort named) {
      return peerPods(named.peer(), named.port()).flatMap(pod -> portEntry(pod, named.port()));
    }
    if (source instanceof SetSource.Block block) {
      return IpBlockEntries.of(block.block()).stream();
    }
    throw new IllegalArgumentException("the members of " + source + " are the node's own pods, "
        + "known only while compiling the node");
  }

  private Stream<Pod> members(PeerSelector selector) {
    return graph.members(selector).stream().map(graph::pod).flatMap(Optional::stream)
        .filter(pod -> pod.ip(family).isPresent());
  }

  /**
   * The pods of a peer that may resolve the port name: a selector's members, or, with no peer or
   * an ipBlock peer, the endpoints that declare the name (an index, not a scan of the cluster).
   */
  private Stream<Pod> peerPods(Optional<Peer> peer, NamedPort port) {
    if (peer.isPresent() && peer.get() instanceof PeerSelector selector) {
      return members(selector);
    }
    Stream<Pod> declaring = graph.endpointsDeclaringPort(port.name()).stream()
        .filter(pod -> pod.ip(family).isPresent());
    return peer.map(block -> declaring.filter(pod ->
        ((IpBlock) block).contains(pod.ip(family).orElseThrow()))).orElse(declaring);
  }

  private Stream<String> portEntry(Pod pod, NamedPort port) {
    int number = port.resolve(pod.ports());
    if (number < 0 || pod.ip(family).isEmpty()) {
      return Stream.empty();
    }
    return Stream.of(address(pod) + "," + port.protocol().name().toLowerCase(Locale.ROOT) + ":"
        + number);
  }

  private String address(Pod pod) {
    return InetAddresses.toAddrString(pod.ip(family).orElseThrow());
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
