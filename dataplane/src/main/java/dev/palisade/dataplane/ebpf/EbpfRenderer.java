package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.DenyAction;
import dev.palisade.dataplane.plan.AllowRule;
import dev.palisade.dataplane.plan.Endpoint;
import dev.palisade.dataplane.plan.FamilyPlan;
import dev.palisade.dataplane.plan.Member;
import dev.palisade.dataplane.plan.NodePlan;
import dev.palisade.dataplane.plan.PeerClass;
import dev.palisade.dataplane.plan.PortMatch;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.IpBlock;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders a node plan as the eBPF backend's map contents ({@link EbpfPlan}), the counterpart of
 * the iptables backend's compiler: a pure function of the plan and the numbering so far.
 *
 * <ul>
 *   <li>Each endpoint gets an id (kept while the pod is on the node), its isolation flags and
 *       whether the node's own traffic to it passes (the setting {@code allowNodeToPods}), and
 *       the deny action (REJECT: denied packets are answered).
 *   <li>Each remote peer class becomes a class of the identity table: a selector's pods as
 *       host prefixes, an ipBlock as itself (its excepts are longer prefixes of their own), and
 *       an egress named port as one class per number the name resolved to, holding the pods
 *       that resolve it so.
 *   <li>Each allow rule of an isolating policy becomes verdict entries of the endpoint: for
 *       every identity of its peer class (of every identity, the world's included, without a
 *       peer), for its traffic (every protocol, every port of one, or the aligned port blocks of
 *       a range). An ingress named port resolves on the endpoint itself: the number it declares,
 *       or nothing.
 *   <li>Counter slots ({@link CounterSlots}, kept while their owner exists): one per isolated
 *       direction of each endpoint for the packets it drops, one per allowing policy for the
 *       packets it allows. A verdict counts for the first policy by name among those that allow
 *       its packets, as the iptables backend's pod chain tries them: the packets a verdict
 *       decides (its prefix is their longest match) match every wider verdict of the endpoint,
 *       identity and direction too, so their policies count.
 * </ul>
 */
public final class EbpfRenderer {
  private final IdentityTable.Interner identities;
  private final boolean allowNodeToPods;
  private final boolean reject;
  private final Map<ObjectRef, Integer> endpointIds = new TreeMap<>();
  private final CounterSlots slots = new CounterSlots(Layouts.COUNTER_SLOTS);
  private int nextEndpointId = 1;
  /** Until the next render: the endpoint id the maps give each local address ({@link #adopt}). */
  private Map<InetAddress, Integer> foundEndpointIds = Map.of();
  /** Until the next render: what the maps held ({@link #adopt}), whose counter slots it keeps. */
  private MapContents found = MapContents.EMPTY;

  /**
   * @param settings the node's settings: whether the node's own traffic to its pods passes
   *     (kubelet probes; when not, the pods' ingress rules judge it with the node as a remote
   *     address), and the deny action (every endpoint rejects, or none)
   */
  public EbpfRenderer(IdentityTable.Interner identities, DataplaneSettings settings) {
    this.identities = identities;
    this.allowNodeToPods = settings.allowNodeToPods();
    this.reject = settings.denyAction() == DenyAction.REJECT;
  }

  /** With the default settings (the node's traffic passes, denied packets are dropped). */
  public EbpfRenderer(IdentityTable.Interner identities) {
    this(identities, DataplaneSettings.DEFAULTS);
  }

  /**
   * Takes over the numbering a previous agent left in the maps, for the next render: a pod whose
   * addresses lead to an interface whose endpoint entry has id N keeps N, a class set whose
   * prefixes the maps give one identity keeps it ({@link IdentityTable.Interner#adopt}), so a
   * restarted agent's first apply rewrites nothing that did not change. New numbers are above
   * every number found, so no entry left in the maps applies to what it was not written for.
   *
   * @param endpointIds the endpoint id of the interface each local address leads to
   */
  public void adopt(Map<InetAddress, Integer> endpointIds, MapContents found) {
    foundEndpointIds = Map.copyOf(endpointIds);
    this.found = found;
    int highestEndpoint = 0;
    int highestIdentity = 0;
    for (EbpfEndpoint endpoint : found.endpoints().values()) {
      highestEndpoint = Math.max(highestEndpoint, endpoint.id());
    }
    for (int identity : found.identities().values()) {
      highestIdentity = Math.max(highestIdentity, identity);
    }
    for (VerdictKey key : found.verdicts().keySet()) {
      highestEndpoint = Math.max(highestEndpoint, key.endpoint());
      highestIdentity = Math.max(highestIdentity, key.identity());
    }
    nextEndpointId = Math.max(nextEndpointId, highestEndpoint + 1);
    identities.adopt(found.identities(), highestIdentity);
  }

  /**
   * The maps for the plan, numbering new endpoints, class sets and counter owners after the
   * ones before.
   */
  public EbpfPlan render(NodePlan plan) {
    Map<ObjectRef, Endpoint> endpoints = new TreeMap<>();
    for (IpFamily family : IpFamily.values()) {
      plan.family(family).endpoints().forEach(endpoint ->
          endpoints.putIfAbsent(endpoint.ref(), endpoint));
    }
    endpointIds.keySet().retainAll(endpoints.keySet());
    Set<Integer> adoptedEndpointIds = new HashSet<>();
    endpoints.keySet().forEach(ref -> endpointIds.computeIfAbsent(ref,
        unused -> newEndpointId(plan, ref, adoptedEndpointIds)));
    foundEndpointIds = Map.of();

    Map<String, List<IpBlock>> classes = new LinkedHashMap<>();
    for (IpFamily family : IpFamily.values()) {
      plan.family(family).members().forEach((peerClass, members) ->
          remoteClasses(peerClass, members).forEach((name, blocks) ->
              classes.computeIfAbsent(name, unused -> new ArrayList<>()).addAll(blocks)));
    }
    IdentityTable table = IdentityTable.compute(classes, identities);
    identities.retainOnly(table.classes().values());
    identities.endAdoption();

    // each verdict with the first policy by name that allows exactly its prefix
    Map<VerdictKey, ObjectRef> allowedBy = new HashMap<>();
    Set<ObjectRef> allowing = new TreeSet<>();
    for (IpFamily family : IpFamily.values()) {
      FamilyPlan familyPlan = plan.family(family);
      for (Endpoint endpoint : familyPlan.endpoints()) {
        int id = endpointIds.get(endpoint.ref());
        for (Direction direction : Direction.values()) {
          for (ObjectRef policy : endpoint.isolatedBy(direction)) {
            for (AllowRule rule : familyPlan.rules(policy, direction)) {
              allowed(table, familyPlan, endpoint, rule).forEach(allowed -> {
                allowing.add(policy);
                allowedBy.merge(new VerdictKey(id, allowed.identity(), direction,
                    allowed.traffic()), policy, EbpfRenderer::first);
              });
            }
          }
        }
      }
    }

    List<CounterOwner> owners = new ArrayList<>();
    endpoints.forEach((ref, endpoint) -> {
      for (Direction direction : Direction.values()) {
        if (endpoint.isolated(direction)) {
          owners.add(new CounterOwner.Denied(ref, direction));
        }
      }
    });
    allowing.forEach(policy -> owners.add(new CounterOwner.Allowed(policy)));
    ImmutableSortedMap<Integer, CounterOwner> counters = slots.assign(owners,
        foundSlots(allowedBy));
    found = MapContents.EMPTY;

    ImmutableSortedMap.Builder<ObjectRef, EbpfEndpoint> ebpfEndpoints =
        ImmutableSortedMap.naturalOrder();
    endpoints.forEach((ref, endpoint) -> ebpfEndpoints.put(ref, new EbpfEndpoint(
        endpointIds.get(ref), endpoint.isolated(Direction.INGRESS),
        endpoint.isolated(Direction.EGRESS), allowNodeToPods, reject,
        slots.slotOf(new CounterOwner.Denied(ref, Direction.INGRESS)),
        slots.slotOf(new CounterOwner.Denied(ref, Direction.EGRESS)))));
    ImmutableSortedMap.Builder<VerdictKey, Integer> verdicts = ImmutableSortedMap.naturalOrder();
    allowedBy.keySet().forEach(key -> verdicts.put(key,
        slots.slotOf(new CounterOwner.Allowed(countedFor(key, allowedBy)))));
    return new EbpfPlan(ebpfEndpoints.build(), table, verdicts.build(), counters);
  }

  /**
   * The policy whose slot counts a verdict's packets: the first by name of those that allow
   * the verdict's prefix or a wider one (which match all of its packets too).
   */
  private static ObjectRef countedFor(VerdictKey key, Map<VerdictKey, ObjectRef> allowedBy) {
    ObjectRef counted = allowedBy.get(key);
    for (Traffic wider : key.traffic().wider()) {
      ObjectRef policy = allowedBy.get(new VerdictKey(key.endpoint(), key.identity(),
          key.direction(), wider));
      if (policy != null) {
        counted = first(counted, policy);
      }
    }
    return counted;
  }

  private static ObjectRef first(ObjectRef one, ObjectRef other) {
    return one.compareTo(other) <= 0 ? one : other;
  }

  /**
   * The counter slots the adopted maps give their owners, so that a restarted agent writes
   * them again as they are: an endpoint's denied slots (by its adopted id), a policy's allowed
   * slot (by a verdict that counts for it).
   */
  private Map<CounterOwner, Integer> foundSlots(Map<VerdictKey, ObjectRef> allowedBy) {
    Map<CounterOwner, Integer> preferred = new HashMap<>();
    Map<Integer, EbpfEndpoint> byId = new HashMap<>();
    found.endpoints().values().forEach(endpoint -> byId.put(endpoint.id(), endpoint));
    endpointIds.forEach((ref, id) -> Optional.ofNullable(byId.get(id)).ifPresent(endpoint -> {
      for (Direction direction : Direction.values()) {
        if (endpoint.deniedSlot(direction) != CounterSlots.NONE) {
          preferred.put(new CounterOwner.Denied(ref, direction), endpoint.deniedSlot(direction));
        }
      }
    }));
    allowedBy.keySet().forEach(key -> {
      Integer slot = found.verdicts().get(key);
      if (slot != null && slot != CounterSlots.NONE) {
        preferred.putIfAbsent(new CounterOwner.Allowed(countedFor(key, allowedBy)), slot);
      }
    });
    return preferred;
  }

  /**
   * A new endpoint's id: the one the maps found give all of its addresses (adopted once),
   * else a fresh one.
   */
  private int newEndpointId(NodePlan plan, ObjectRef ref, Set<Integer> adopted) {
    if (foundEndpointIds.isEmpty()) {
      return nextEndpointId++;
    }
    Set<Integer> found = new HashSet<>();
    for (IpFamily family : IpFamily.values()) {
      plan.family(family).endpoints().stream().filter(endpoint -> endpoint.ref().equals(ref))
          .forEach(endpoint -> found.add(foundEndpointIds.get(endpoint.address(family))));
    }
    if (found.size() == 1 && !found.contains(null) && adopted.add(found.iterator().next())) {
      return found.iterator().next();
    }
    return nextEndpointId++;
  }

  /** What one allow rule lets the endpoint exchange: identities with their traffic. */
  private record Allowed(int identity, Traffic traffic) {}

  private static List<Allowed> allowed(IdentityTable table, FamilyPlan plan, Endpoint endpoint,
      AllowRule rule) {
    if (rule.port().orElse(null) instanceof PortMatch.Named named
        && named.resolved() instanceof PeerClass.EgressNamedPort egress) {
      // the class holds the peer's pods with the number the name has on each
      List<Allowed> allowed = new ArrayList<>();
      byNumber(egress, plan.members(egress)).keySet().forEach(number ->
          table.identitiesOf(number.name()).forEach(identity ->
              allowed.add(new Allowed(identity, Traffic.port(number.protocol(),
                  number.port())))));
      return allowed;
    }
    Collection<Integer> peers = rule.peer()
        .map(peer -> (Collection<Integer>) table.identitiesOf(className(peer)))
        .orElseGet(table::everyIdentity);
    List<Traffic> traffic = traffic(plan, endpoint, rule.port());
    List<Allowed> allowed = new ArrayList<>();
    peers.forEach(identity -> traffic.forEach(t -> allowed.add(new Allowed(identity, t))));
    return allowed;
  }

  private static List<Traffic> traffic(FamilyPlan plan, Endpoint endpoint,
      Optional<PortMatch> port) {
    if (port.isEmpty()) {
      return List.of(Traffic.everything());
    }
    if (port.get() instanceof PortMatch.AnyPortOf any) {
      return List.of(Traffic.allPorts(any.protocol()));
    }
    if (port.get() instanceof PortMatch.Ports ports) {
      return Traffic.range(ports.protocol(), ports.first(), ports.last());
    }
    // an ingress named port: the number the endpoint itself gives the name, if any
    PeerClass resolved = ((PortMatch.Named) port.get()).resolved();
    return plan.members(resolved).stream()
        .map(Member.HostPort.class::cast)
        .filter(member -> member.address().equals(endpoint.address(plan.family())))
        .map(member -> Traffic.port(member.protocol(), member.port()))
        .toList();
  }

  /** The classes of the identity table that a peer class stands for, with their blocks. */
  private static Map<String, List<IpBlock>> remoteClasses(PeerClass peerClass,
      ImmutableSet<Member> members) {
    if (peerClass instanceof PeerClass.IngressNamedPort) {
      return Map.of(); // the node's own pods, resolved per endpoint
    }
    if (peerClass instanceof PeerClass.EgressNamedPort egress) {
      Map<String, List<IpBlock>> classes = new LinkedHashMap<>();
      byNumber(egress, members).forEach((number, addresses) -> classes.put(number.name(),
          addresses.stream().map(EbpfRenderer::host).toList()));
      return classes;
    }
    if (peerClass instanceof PeerClass.Block block) {
      return Map.of(className(peerClass), List.of(block.block()));
    }
    return Map.of(className(peerClass), members.stream()
        .map(member -> host(((Member.Host) member).address())).toList());
  }

  /** The class of the pods that give an egress port name one number. */
  private record NumberClass(String name, Protocol protocol, int port) {}

  /** An egress named port's members by the number the name has on each pod. */
  private static Map<NumberClass, List<InetAddress>> byNumber(PeerClass.EgressNamedPort egress,
      Collection<Member> members) {
    Map<NumberClass, List<InetAddress>> classes = new LinkedHashMap<>();
    members.stream().map(Member.HostPort.class::cast).forEach(member -> classes.computeIfAbsent(
        new NumberClass(className(egress) + " -> " + member.port(), member.protocol(),
            member.port()), unused -> new ArrayList<>()).add(member.address()));
    return classes;
  }

  private static String className(PeerClass peerClass) {
    if (peerClass instanceof PeerClass.Selected selected) {
      return selected.selector().toString();
    }
    if (peerClass instanceof PeerClass.Block block) {
      return "block " + block.block();
    }
    PeerClass.EgressNamedPort egress = (PeerClass.EgressNamedPort) peerClass;
    return "port " + egress.port() + " of " + egress.peer().map(Object::toString).orElse("any pod");
  }

  private static IpBlock host(InetAddress address) {
    return IpBlock.of(Cidr.host(address), List.of());
  }
}
