package dev.palisade.dataplane.plan;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.Sets;
import dev.palisade.dataplane.plan.FamilyPlan.PolicyDirection;
import dev.palisade.model.Direction;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpBlock;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.PortMatcher.AnyPort;
import dev.palisade.model.PortMatcher.NamedPort;
import dev.palisade.model.PortMatcher.PortRange;
import dev.palisade.model.Rule;
import dev.palisade.model.RuleGraph;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Builds a node's plan from the rule graph: a pure function of the graph and the node, which
 * reads the graph and starts nothing. Given the previous plan and the graph's changes since, it
 * reuses the members of every class the changes did not touch (the same objects), so that a
 * backend can tell unchanged classes by identity, and {@link #refresh} recomputes only the
 * members of touched classes for changes that reach neither a policy nor a pod of the node.
 */
public final class NodePlanner {
  private NodePlanner() {}

  public static NodePlan plan(RuleGraph graph, String nodeName) {
    return plan(graph, nodeName, null, GraphDelta.EMPTY);
  }

  /**
   * @param previous the previous plan of the same node, whose untouched members are reused, or
   *     null
   * @param changes what the graph changed since {@code previous}
   */
  public static NodePlan plan(RuleGraph graph, String nodeName, NodePlan previous,
      GraphDelta changes) {
    return plan(graph, nodeName, previous, changes, new HostMembers());
  }

  /** @param hosts the pods' members as the previous plan made them */
  static NodePlan plan(RuleGraph graph, String nodeName, NodePlan previous, GraphDelta changes,
      HostMembers hosts) {
    return plan(graph, NodeShare.of(graph, nodeName, null, changes), previous, changes, hosts);
  }

  /** @param share the node's share of the graph as it is now */
  static NodePlan plan(RuleGraph graph, NodeShare share, NodePlan previous, GraphDelta changes,
      HostMembers hosts) {
    return new NodePlan(
        new FamilyPlanner(graph, IpFamily.V4, previous, changes, hosts).plan(share),
        new FamilyPlanner(graph, IpFamily.V6, previous, changes, hosts).plan(share));
  }

  /**
   * The previous plan with the members of the classes {@code changes} touched computed anew;
   * endpoints and rules stay. Only for changes that touch no policy and no pod that is, or was,
   * on the node: those replan with {@link #plan}.
   */
  public static NodePlan refresh(RuleGraph graph, NodePlan previous, GraphDelta changes) {
    return refresh(graph, previous, changes, new HostMembers());
  }

  /** @param hosts the pods' members as the previous plan made them */
  static NodePlan refresh(RuleGraph graph, NodePlan previous, GraphDelta changes,
      HostMembers hosts) {
    return new NodePlan(
        new FamilyPlanner(graph, IpFamily.V4, previous, changes, hosts).refresh(previous.v4()),
        new FamilyPlanner(graph, IpFamily.V6, previous, changes, hosts).refresh(previous.v6()));
  }

  /**
   * The node's share of the graph, read once for both families: its endpoint pods, the policies
   * that select each of them, for each such policy the node's pods it selects, the node's pods
   * waiting for their address, and the policies that will select those (sorted, each once).
   */
  record NodeShare(ImmutableList<Pod> localPods,
      ImmutableMap<ObjectRef, ImmutableList<Policy>> policiesByPod,
      ImmutableListMultimap<ObjectRef, Pod> localPodsByPolicy,
      ImmutableSet<ObjectRef> awaitingPods, ImmutableList<Policy> awaitedPolicies) {

    /** Whether {@code pod} was one of the node's endpoints or pods waiting for an address. */
    boolean holds(ObjectRef pod) {
      return policiesByPod.containsKey(pod) || awaitingPods.contains(pod);
    }

    /**
     * @param previous the share before {@code changes}, or null: while no policy changed, the
     *     policies selecting a pod the changes do not name are the same (a pod whose list of
     *     selecting policies changes is in the delta), so only the named pods ask the graph
     */
    static NodeShare of(RuleGraph graph, String nodeName, NodeShare previous,
        GraphDelta changes) {
      boolean reuse = previous != null && changes.policies().isEmpty();
      ImmutableList<Pod> local = ImmutableList.copyOf(graph.endpointsOnNode(nodeName));
      ImmutableMap.Builder<ObjectRef, ImmutableList<Policy>> policiesByPod =
          ImmutableMap.builderWithExpectedSize(local.size());
      ImmutableListMultimap.Builder<ObjectRef, Pod> podsByPolicy =
          ImmutableListMultimap.builder();
      for (Pod pod : local) {
        ImmutableList<Policy> policies = reuse && !changes.pods().contains(pod.ref())
            ? previous.policiesByPod().get(pod.ref()) : null;
        if (policies == null) {
          policies = ImmutableList.copyOf(graph.policiesSelecting(pod.ref()));
        }
        policiesByPod.put(pod.ref(), policies);
        policies.forEach(policy -> podsByPolicy.put(policy.ref(), pod));
      }
      ImmutableSet.Builder<ObjectRef> awaiting = ImmutableSet.builder();
      Map<ObjectRef, Policy> awaited = new TreeMap<>();
      for (Pod pod : graph.awaitingAddressOnNode(nodeName)) {
        awaiting.add(pod.ref());
        graph.policiesAwaiting(pod.ref()).forEach(policy -> awaited.put(policy.ref(), policy));
      }
      return new NodeShare(local, policiesByPod.build(), podsByPolicy.build(), awaiting.build(),
          ImmutableList.copyOf(awaited.values()));
    }
  }

  private static final class FamilyPlanner {
    private final RuleGraph graph;
    private final IpFamily family;
    private final FamilyPlan previousPlan;
    private final Map<PeerClass, ImmutableSet<Member>> previousMembers;
    private final Map<PolicyDirection, ImmutableList<AllowRule>> previousRules;
    private final Map<ObjectRef, Endpoint> previousEndpoints = new HashMap<>();
    private final GraphDelta changes;
    private final HostMembers hosts;
    private final Map<PeerClass, ImmutableSet<Member>> members = new LinkedHashMap<>();

    FamilyPlanner(RuleGraph graph, IpFamily family, NodePlan previous, GraphDelta changes,
        HostMembers hosts) {
      this.graph = graph;
      this.family = family;
      this.previousPlan = previous == null ? null : previous.family(family);
      this.previousMembers = previous == null ? Map.of() : previous.family(family).members();
      this.previousRules = previous == null ? Map.of() : previous.family(family).rules();
      this.changes = changes;
      this.hosts = hosts;
    }

    FamilyPlan plan(NodeShare share) {
      // Only here, not for a refresh, which keeps the previous endpoints as they are.
      if (previousPlan != null) {
        previousPlan.endpoints()
            .forEach(endpoint -> previousEndpoints.put(endpoint.ref(), endpoint));
      }
      ImmutableList.Builder<Endpoint> endpoints = ImmutableList.builder();
      Map<PolicyDirection, ImmutableList<AllowRule>> rules = new LinkedHashMap<>();
      Map<ObjectRef, Policy> policies = new LinkedHashMap<>();
      for (Pod pod : share.localPods()) {
        if (pod.ip(family).isEmpty()) {
          continue;
        }
        List<Policy> selecting = share.policiesByPod().get(pod.ref());
        selecting.forEach(policy -> policies.putIfAbsent(policy.ref(), policy));
        endpoints.add(endpoint(pod, isolating(selecting, Direction.INGRESS),
            isolating(selecting, Direction.EGRESS)));
      }
      ImmutableList<Endpoint> planned = endpoints.build();
      Set<PolicyDirection> awaited = awaitedRules(planned, share);
      if (previousPlan != null && changes.policies().isEmpty()
          && Sets.union(isolatingPolicies(planned), awaited).equals(previousRules.keySet())) {
        // No policy changed and the same ones isolate the node's endpoints or wait for its pods:
        // the rules, and the classes they name, are the previous plan's (a policy's rules
        // depend on the policy alone); only members can differ. The path of a change to one of
        // the node's pods, a pod getting its address included.
        return new FamilyPlan(family, planned, previousPlan.rules(),
            refreshedMembers(previousPlan.members(), share));
      }
      share.awaitedPolicies().forEach(policy -> policies.putIfAbsent(policy.ref(), policy));
      // Directions first, then endpoints and their policies in order: the order in which a
      // backend meets the rules when it walks the endpoints, so members come in that order too.
      for (Direction direction : Direction.values()) {
        for (Endpoint endpoint : planned) {
          for (ObjectRef ref : endpoint.isolatedBy(direction)) {
            rules.computeIfAbsent(new PolicyDirection(ref, direction), key -> rules(key,
                policies.get(ref), share.localPodsByPolicy().get(ref)));
          }
        }
      }
      for (PolicyDirection key : awaited) {
        rules.computeIfAbsent(key, unused -> rules(key, policies.get(key.policy()),
            share.localPodsByPolicy().get(key.policy())));
      }
      return new FamilyPlan(family, planned, ImmutableMap.copyOf(rules),
          ImmutableMap.copyOf(members));
    }

    FamilyPlan refresh(FamilyPlan previous) {
      return new FamilyPlan(family, previous.endpoints(), previous.rules(),
          refreshedMembers(previous.members(), null));
    }

    /**
     * The rules a node prepares for its pods waiting for their address: those of every policy
     * (and direction) that will isolate one of them, in policy order, so that the address's
     * event finds them in place and only adds the pod's own chains and its set members. Only in
     * a family the node's endpoints use (a waiting pod's families are not known yet; a node's
     * pods have the same ones).
     */
    private static Set<PolicyDirection> awaitedRules(List<Endpoint> endpoints, NodeShare share) {
      if (endpoints.isEmpty()) {
        return Set.of();
      }
      Set<PolicyDirection> awaited = new LinkedHashSet<>();
      for (Policy policy : share.awaitedPolicies()) {
        for (Direction direction : Direction.values()) {
          if (policy.isolates(direction)) {
            awaited.add(new PolicyDirection(policy.ref(), direction));
          }
        }
      }
      return awaited;
    }

    /** Every policy (and direction) that isolates one of {@code endpoints}. */
    private static Set<PolicyDirection> isolatingPolicies(List<Endpoint> endpoints) {
      Set<PolicyDirection> isolating = new HashSet<>();
      for (Direction direction : Direction.values()) {
        for (Endpoint endpoint : endpoints) {
          endpoint.isolatedBy(direction)
              .forEach(ref -> isolating.add(new PolicyDirection(ref, direction)));
        }
      }
      return isolating;
    }

    /**
     * The previous members with those the changes may have changed computed anew: the classes
     * the changes touched, and, when the node's own pods changed ({@code share} not null), the
     * ingress named ports of the policies selecting them, which keep their previous members
     * when equal. The previous map itself when nothing changed.
     */
    private ImmutableMap<PeerClass, ImmutableSet<Member>> refreshedMembers(
        ImmutableMap<PeerClass, ImmutableSet<Member>> previous, NodeShare share) {
      Map<PeerClass, ImmutableSet<Member>> refreshed = new LinkedHashMap<>(previous);
      boolean changed = false;
      for (Map.Entry<PeerClass, ImmutableSet<Member>> entry : refreshed.entrySet()) {
        PeerClass peerClass = entry.getKey();
        ImmutableSet<Member> now = entry.getValue();
        if (peerClass instanceof PeerClass.IngressNamedPort port) {
          if (share != null) {
            ImmutableSet<Member> computed = ingressPortMembers(port.port(),
                share.localPodsByPolicy().get(port.policy()));
            now = computed.equals(now) ? now : computed;
          }
        } else if (peerClass.touchedBy(changes)) {
          now = touchedMembers(peerClass, now);
        }
        if (now != entry.getValue()) {
          entry.setValue(now);
          changed = true;
        }
      }
      return changed ? ImmutableMap.copyOf(refreshed) : previous;
    }

    /**
     * The previous plan's endpoint when nothing of it changed (the same object, which a backend
     * need not render again), else a new one.
     */
    private Endpoint endpoint(Pod pod, ImmutableList<ObjectRef> ingress,
        ImmutableList<ObjectRef> egress) {
      Endpoint before = previousEndpoints.get(pod.ref());
      return before != null && before.pod() == pod && before.ingressPolicies().equals(ingress)
          && before.egressPolicies().equals(egress) ? before : new Endpoint(pod, ingress, egress);
    }

    /**
     * A policy's allow rules of one direction: the previous plan's (the same object, which a
     * backend need not render again) when the policy did not change, their classes named again
     * in the order a new list would name them; else a new list.
     */
    private ImmutableList<AllowRule> rules(PolicyDirection key, Policy policy,
        List<Pod> selectedLocalPods) {
      ImmutableList<AllowRule> before = previousRules.get(key);
      if (before == null || changes.policies().contains(key.policy())) {
        return allowRules(policy, key.direction(), selectedLocalPods);
      }
      for (AllowRule rule : before) {
        rule.peer().ifPresent(peerClass -> named(peerClass, this::clusterMembers));
        if (rule.port().orElse(null) instanceof PortMatch.Named named) {
          named(named.resolved(), resolved -> resolved instanceof PeerClass.IngressNamedPort
              ingress ? ingressPortMembers(ingress.port(), selectedLocalPods)
              : clusterMembers(resolved));
        }
      }
      return before;
    }

    private static ImmutableList<ObjectRef> isolating(List<Policy> policies,
        Direction direction) {
      return policies.stream().filter(policy -> policy.isolates(direction)).map(Policy::ref)
          .collect(ImmutableList.toImmutableList());
    }

    /** One allow rule per (peer, port) pair of each of the policy's rules of the direction. */
    private ImmutableList<AllowRule> allowRules(Policy policy, Direction direction,
        List<Pod> selectedLocalPods) {
      ImmutableList.Builder<AllowRule> rules = ImmutableList.builder();
      for (Rule rule : policy.rules(direction)) {
        for (Optional<Peer> peer : peersOf(rule)) {
          for (Optional<PortMatcher> port : portsOf(rule)) {
            rules.add(allowRule(policy, direction, peer, port, selectedLocalPods));
          }
        }
      }
      return rules.build();
    }

    /** "Empty from/to matches all peers": one unconstrained entry; ipBlocks of this family. */
    private List<Optional<Peer>> peersOf(Rule rule) {
      if (rule.allowsAllPeers()) {
        return List.of(Optional.empty());
      }
      return rule.peers().stream()
          .filter(peer -> !(peer instanceof IpBlock block) || block.family() == family)
          .map(Optional::of).toList();
    }

    /** "Empty ports matches all ports", every protocol included (ICMP too). */
    private static List<Optional<PortMatcher>> portsOf(Rule rule) {
      if (rule.allowsAllPorts()) {
        return List.of(Optional.empty());
      }
      return rule.ports().stream().map(Optional::of).toList();
    }

    private AllowRule allowRule(Policy policy, Direction direction, Optional<Peer> peer,
        Optional<PortMatcher> port, List<Pod> selectedLocalPods) {
      // An egress named port resolves on the peer's pods: its class stands for the peer too.
      if (direction == Direction.EGRESS && port.orElse(null) instanceof NamedPort named) {
        return new AllowRule(Optional.empty(), Optional.of(new PortMatch.Named(
            named(new PeerClass.EgressNamedPort(peer, named), this::clusterMembers))));
      }
      Optional<PeerClass> peerClass = peer.map(p -> named(p instanceof PeerSelector selector
          ? new PeerClass.Selected(selector) : new PeerClass.Block((IpBlock) p),
          this::clusterMembers));
      return new AllowRule(peerClass, port.map(p -> portMatch(policy, p, selectedLocalPods)));
    }

    private PortMatch portMatch(Policy policy, PortMatcher port, List<Pod> selectedLocalPods) {
      if (port instanceof AnyPort any) {
        return new PortMatch.AnyPortOf(any.protocol());
      }
      if (port instanceof PortRange range) {
        return new PortMatch.Ports(range.protocol(), range.port(), range.endPort());
      }
      NamedPort named = (NamedPort) port;
      return new PortMatch.Named(named(new PeerClass.IngressNamedPort(policy.ref(), named),
          unused -> ingressPortMembers(named, selectedLocalPods)));
    }

    /** (address, port) of the node's pods a policy selects that declare the port's name. */
    private ImmutableSet<Member> ingressPortMembers(NamedPort port, List<Pod> selectedLocalPods) {
      return selectedLocalPods.stream().flatMap(pod -> hostPort(pod, port))
          .collect(ImmutableSet.toImmutableSet());
    }

    /**
     * Names {@code peerClass} in the plan: its members are computed on first use, or reused
     * from the previous plan when the class follows the cluster only and the changes did not
     * touch it.
     */
    private PeerClass named(PeerClass peerClass,
        Function<PeerClass, ImmutableSet<Member>> compute) {
      members.computeIfAbsent(peerClass, key -> {
        ImmutableSet<Member> before = previousMembers.get(key);
        if (before == null || !key.followsClusterOnly()) {
          return compute.apply(key);
        }
        return key.touchedBy(changes) ? touchedMembers(key, before) : before;
      });
      return peerClass;
    }

    /**
     * The members of a class that follows the cluster only and that the changes touched: a
     * selector's previous members patched at the addresses of the pods whose memberships
     * changed, when no policy changed (selectors appear and go away with policies only) and
     * the planner's host members know what those pods had before; else computed from the
     * graph.
     */
    private ImmutableSet<Member> touchedMembers(PeerClass peerClass,
        ImmutableSet<Member> before) {
      return peerClass instanceof PeerClass.Selected selected && changes.policies().isEmpty()
          && hosts.took(changes) ? patchedMembers(selected, before) : clusterMembers(peerClass);
    }

    /**
     * A selector's previous members with only the addresses that the pods whose memberships
     * changed had or have now decided again: an address is a member when an endpoint claiming
     * it is one of the selector's pods and holds it in this family (so a pod that shares an
     * address with a changed one keeps it in). At 10,000 pods a pod's event touches selectors
     * of up to a thousand members; computing them again from the graph, pod by pod, was most of
     * the event's planning.
     */
    private ImmutableSet<Member> patchedMembers(PeerClass.Selected selected,
        ImmutableSet<Member> before) {
      Set<InetAddress> decideAgain = new HashSet<>();
      for (ObjectRef ref : changes.members()) {
        Member.Host had = hosts.before(ref, family);
        if (had != null) {
          decideAgain.add(had.address());
        }
        graph.pod(ref).flatMap(pod -> pod.ip(family)).ifPresent(decideAgain::add);
      }
      Set<ObjectRef> pods = graph.unorderedMembers(selected.selector());
      // A member is its address (hosts are equal by address), so what leaves is found by
      // lookups in the previous set, not by testing each of its members, up to a thousand.
      Set<Member> leaving = new HashSet<>();
      Set<Member> joining = new LinkedHashSet<>();
      for (InetAddress address : decideAgain) {
        Member had = new Member.Host(address);
        if (before.contains(had)) {
          leaving.add(had);
        }
        graph.endpointsClaiming(address).stream().filter(pods::contains)
            .map(ref -> graph.pod(ref).orElseThrow())
            .filter(pod -> pod.ip(family).filter(address::equals).isPresent())
            .findFirst().ifPresent(pod -> joining.add(hosts.of(pod, family)));
      }
      if (leaving.equals(joining)) {
        // The same addresses stay (a pod that changed in another class only): the same set.
        return before;
      }
      ImmutableSet.Builder<Member> patched =
          ImmutableSet.builderWithExpectedSize(before.size() + joining.size());
      for (Member member : before) {
        if (!leaving.contains(member)) {
          patched.add(member);
        }
      }
      return patched.addAll(joining).build();
    }

    /** The members of a class that follows the cluster only, from the graph as it is now. */
    private ImmutableSet<Member> clusterMembers(PeerClass peerClass) {
      if (peerClass instanceof PeerClass.Selected selected) {
        return members(selected.selector())
            .map(pod -> (Member) hosts.of(pod, family))
            .collect(ImmutableSet.toImmutableSet());
      }
      if (peerClass instanceof PeerClass.Block block) {
        return ImmutableSet.copyOf(BlockRanges.of(block.block()));
      }
      if (peerClass instanceof PeerClass.EgressNamedPort named) {
        return peerPods(named.peer(), named.port()).flatMap(pod -> hostPort(pod, named.port()))
            .collect(ImmutableSet.toImmutableSet());
      }
      throw new IllegalArgumentException("the members of " + peerClass + " are the node's own "
          + "pods, known only while planning the node");
    }

    /** In no particular order: a class's members are a set, which backends render sorted. */
    private Stream<Pod> members(PeerSelector selector) {
      return graph.unorderedMembers(selector).stream().map(graph::pod).flatMap(Optional::stream)
          .filter(pod -> pod.ip(family).isPresent());
    }

    /**
     * The pods of a peer that may resolve the port name: a selector's members, or, with no peer
     * or an ipBlock peer, the endpoints that declare the name (an index, not a scan of the
     * cluster).
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

    private Stream<Member> hostPort(Pod pod, NamedPort port) {
      int number = port.resolve(pod.ports());
      if (number < 0 || pod.ip(family).isEmpty()) {
        return Stream.empty();
      }
      return Stream.of(new Member.HostPort(pod.ip(family).orElseThrow(), port.protocol(),
          number));
    }
  }
}
