package dev.palisade.model;

import com.google.common.collect.HashMultiset;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Iterables;
import com.google.common.collect.Multiset;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The normalized rule graph of a cluster, kept up to date change by change.
 *
 * <p>It stores the namespaces, pods and policies it is told about and maintains, for every
 * distinct {@link PeerSelector} that some policy uses (as its target or as a peer), the set of
 * endpoint pods that the selector matches. Equal selectors in different policies share one
 * entry, reference-counted by the policies that use them. A change touches only what it can
 * affect: a pod change re-tests that pod against the selectors, a namespace change re-tests the
 * pods of that namespace against selectors that look at namespace labels, a policy change
 * builds the selectors it introduces and drops those nobody uses any more. Each change returns
 * a {@link GraphDelta}.
 *
 * <p>Not thread-safe: one owner (the agent's model thread, or a CLI run) feeds it.
 */
public final class RuleGraph {
  private static final SortedSet<ObjectRef> EMPTY_NODE = Collections.emptySortedSet();

  /** Members of one selector and the policies that reference it. */
  private static final class SelectorEntry {
    final Set<ObjectRef> members = new HashSet<>();
    int references;
  }

  private final Map<String, Namespace> namespaces = new HashMap<>();
  private final Map<String, Map<String, Pod>> podsByNamespace = new HashMap<>();
  /**
   * Every pod with a node, by node, sorted: a node's own pods without a scan of the cluster, in
   * order without sorting them at every sync of the node.
   */
  private final Map<String, SortedSet<ObjectRef>> podsByNode = new HashMap<>();
  /** How many of each node's pods are endpoints: a figure every sync reports, kept in step. */
  private final Map<String, Integer> endpointCountByNode = new HashMap<>();
  /**
   * Every pod that names a container port, by port name: where a named port towards any peer
   * can resolve, without a scan of the cluster.
   */
  private final Map<String, Set<ObjectRef>> podsByPortName = new HashMap<>();
  private final Map<ObjectRef, Policy> policies = new HashMap<>();
  private final Map<PeerSelector, SelectorEntry> selectors = new HashMap<>();
  /**
   * The same selectors grouped by the namespaces they can match: a pod is tested only against
   * the selectors of its own namespace and those that look at namespace labels. Every policy
   * target is namespace-scoped, so this keeps a pod change independent of the policy count in
   * other namespaces.
   */
  private final Map<String, Set<PeerSelector>> namedSelectors = new HashMap<>();
  private final Set<PeerSelector> labelScopedSelectors = new HashSet<>();
  /** Reverse index: the selectors each endpoint pod is a member of. */
  private final Map<ObjectRef, Set<PeerSelector>> selectorsByPod = new HashMap<>();
  /** The policies whose target selector is this selector. */
  private final Map<PeerSelector, Set<ObjectRef>> policiesByTarget = new HashMap<>();
  /**
   * The endpoint pods claiming each address, oldest claim first. Two pods claim one address
   * only while the events of its reuse arrive out of order (the new pod is seen before the old
   * one's termination); the newest claim wins, and when it goes the older one shows again.
   */
  private final Map<InetAddress, LinkedHashSet<ObjectRef>> claimsByIp = new HashMap<>();

  // ---------------------------------------------------------------- reads

  public Optional<Namespace> namespace(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  public Collection<Namespace> namespaces() {
    return List.copyOf(namespaces.values());
  }

  /**
   * The namespace as selectors see it: a namespace the graph has not been told about yet
   * (a pod's event arrived first) carries only its name label, as the API server would set.
   */
  public Namespace namespaceOrBare(String name) {
    Namespace known = namespaces.get(name);
    return known != null ? known : new Namespace(name, ImmutableSortedMap.of());
  }

  public Optional<Pod> pod(ObjectRef ref) {
    Map<String, Pod> pods = podsByNamespace.get(ref.namespace());
    return Optional.ofNullable(pods == null ? null : pods.get(ref.name()));
  }

  /** How many pods the graph knows, endpoints or not. */
  public int podCount() {
    int count = 0;
    for (Map<String, Pod> pods : podsByNamespace.values()) {
      count += pods.size();
    }
    return count;
  }

  /** Every pod the graph knows, endpoints or not, sorted by namespace and name. */
  public List<Pod> pods() {
    List<Pod> all = new ArrayList<>();
    podsByNamespace.values().forEach(pods -> all.addAll(pods.values()));
    all.sort(Comparator.comparing(Pod::ref));
    return all;
  }

  public Collection<Pod> podsIn(String namespace) {
    Map<String, Pod> pods = podsByNamespace.get(namespace);
    return pods == null ? List.of() : List.copyOf(pods.values());
  }

  /** Endpoint pods scheduled on a node, sorted. */
  public List<Pod> endpointsOnNode(String nodeName) {
    return podsByNode.getOrDefault(nodeName, EMPTY_NODE).stream()
        .map(ref -> pod(ref).orElseThrow()).filter(Pod::isEndpoint).toList();
  }

  /** How many endpoints {@link #endpointsOnNode} would list, without listing them. */
  public int endpointCountOnNode(String nodeName) {
    return endpointCountByNode.getOrDefault(nodeName, 0);
  }

  /** Pods scheduled on a node that wait for their address ({@link Pod#awaitsAddress}), sorted. */
  public List<Pod> awaitingAddressOnNode(String nodeName) {
    return podsByNode.getOrDefault(nodeName, EMPTY_NODE).stream()
        .map(ref -> pod(ref).orElseThrow()).filter(Pod::awaitsAddress).toList();
  }

  /** Endpoint pods that declare a container port of this name, sorted. */
  public List<Pod> endpointsDeclaringPort(String portName) {
    return podsByPortName.getOrDefault(portName, Set.of()).stream().sorted()
        .map(ref -> pod(ref).orElseThrow()).filter(Pod::isEndpoint).toList();
  }

  /** The endpoint pod that holds an address now, if any. */
  public Optional<Pod> endpointByIp(InetAddress ip) {
    LinkedHashSet<ObjectRef> claims = claimsByIp.get(ip);
    return claims == null ? Optional.empty() : pod(Iterables.getLast(claims));
  }

  /**
   * The endpoint pods claiming an address now, oldest claim first: a read-only view, valid until
   * the graph next changes. More than one only while the events of the address's reuse arrive
   * out of order.
   */
  public Set<ObjectRef> endpointsClaiming(InetAddress ip) {
    LinkedHashSet<ObjectRef> claims = claimsByIp.get(ip);
    return claims == null ? Set.of() : Collections.unmodifiableSet(claims);
  }

  public Optional<Policy> policy(ObjectRef ref) {
    return Optional.ofNullable(policies.get(ref));
  }

  public int policyCount() {
    return policies.size();
  }

  /** Every policy, sorted by namespace and name. */
  public List<Policy> policies() {
    return policies.values().stream().sorted(Comparator.comparing(Policy::ref)).toList();
  }

  /** Every selector some policy uses (as target or peer). */
  public Set<PeerSelector> selectors() {
    return Set.copyOf(selectors.keySet());
  }

  /**
   * The endpoint pods a selector matches now, sorted.
   *
   * @throws IllegalArgumentException if no policy uses this selector
   */
  public ImmutableSet<ObjectRef> members(PeerSelector selector) {
    SelectorEntry entry = selectors.get(selector);
    if (entry == null) {
      throw new IllegalArgumentException("no policy uses the selector " + selector);
    }
    return ImmutableSet.copyOf(new TreeSet<>(entry.members));
  }

  /**
   * The endpoint pods a selector matches now, in no particular order: a read-only view of the
   * index, valid until the graph next changes. For callers that build their own collection from
   * it at every change of a selector with thousands of members (the node planner), where
   * sorting them is most of the cost.
   *
   * @throws IllegalArgumentException if no policy uses this selector
   */
  public Set<ObjectRef> unorderedMembers(PeerSelector selector) {
    SelectorEntry entry = selectors.get(selector);
    if (entry == null) {
      throw new IllegalArgumentException("no policy uses the selector " + selector);
    }
    return Collections.unmodifiableSet(entry.members);
  }

  /**
   * The endpoint pods any selector matches now, sorted: from the index when a policy's enforced
   * rules use the selector, else by a scan of the pods. For readers of what was written rather
   * than what is enforced (lint reads the rules that policyTypes makes the API ignore, and the
   * graph indexes none of those).
   */
  public ImmutableSet<ObjectRef> matching(PeerSelector selector) {
    if (selectors.containsKey(selector)) {
      return members(selector);
    }
    return pods().stream()
        .filter(pod -> pod.isEndpoint()
            && selector.matches(namespaceOrBare(pod.ref().namespace()), pod))
        .map(Pod::ref)
        .collect(ImmutableSet.toImmutableSet());
  }

  /** The policies that select an endpoint pod, sorted; empty for pods that are not endpoints. */
  public List<Policy> policiesSelecting(ObjectRef pod) {
    Set<PeerSelector> memberships = selectorsByPod.getOrDefault(pod, Set.of());
    List<Policy> selecting = new ArrayList<>();
    for (PeerSelector selector : memberships) {
      for (ObjectRef policyRef : policiesByTarget.getOrDefault(selector, Set.of())) {
        selecting.add(policies.get(policyRef));
      }
    }
    selecting.sort(Comparator.comparing(Policy::ref));
    return selecting;
  }

  /**
   * The policies that will select a pod waiting for its address ({@link Pod#awaitsAddress})
   * once it has one, as its labels are now, sorted; empty for any other pod. A node can prepare
   * their rules before the address comes. Costs the selectors of the pod's namespace (a
   * policy's target is scoped to its own).
   */
  public List<Policy> policiesAwaiting(ObjectRef ref) {
    Pod pod = pod(ref).filter(Pod::awaitsAddress).orElse(null);
    if (pod == null) {
      return List.of();
    }
    List<Policy> awaiting = new ArrayList<>();
    for (PeerSelector selector : namedSelectors.getOrDefault(ref.namespace(), Set.of())) {
      Set<ObjectRef> targeting = policiesByTarget.get(selector);
      if (targeting != null && selector.pods().matches(pod.labels())) {
        targeting.forEach(policy -> awaiting.add(policies.get(policy)));
      }
    }
    awaiting.sort(Comparator.comparing(Policy::ref));
    return awaiting;
  }

  /** Whether any policy that selects this pod isolates it in this direction. */
  public boolean isIsolated(ObjectRef pod, Direction direction) {
    return policiesSelecting(pod).stream().anyMatch(policy -> policy.isolates(direction));
  }

  // ---------------------------------------------------------------- namespaces

  public GraphDelta upsertNamespace(Namespace namespace) {
    // Read what selectors saw before storing the new labels: for a namespace the graph did not
    // know, that is the bare namespace, not the one just stored.
    Namespace before = namespaceOrBare(namespace.name());
    namespaces.put(namespace.name(), namespace);
    if (before.labels().equals(namespace.labels())) {
      return GraphDelta.EMPTY;
    }
    return retestNamespace(namespace.name());
  }

  /**
   * Forgets a namespace's labels. Its pods stay until they are deleted themselves (the API
   * server deletes them with the namespace, one event each).
   */
  public GraphDelta deleteNamespace(String name) {
    Namespace previous = namespaces.remove(name);
    if (previous == null || previous.labels().equals(namespaceOrBare(name).labels())) {
      return GraphDelta.EMPTY;
    }
    return retestNamespace(name);
  }

  private GraphDelta retestNamespace(String name) {
    GraphDelta.Builder delta = new GraphDelta.Builder();
    for (Pod pod : podsIn(name)) {
      if (pod.isEndpoint()) {
        retestMemberships(pod, false, delta);
      }
    }
    return delta.build();
  }

  // ---------------------------------------------------------------- pods

  public GraphDelta upsertPod(Pod pod) {
    Pod previous = podsByNamespace.computeIfAbsent(pod.ref().namespace(), ns -> new HashMap<>())
        .put(pod.ref().name(), pod);
    moveNode(pod.ref(), previous == null ? null : previous.nodeName(), pod.nodeName());
    recountEndpoint(previous, pod);
    reindexPortNames(pod.ref(), previous, pod);
    GraphDelta.Builder delta = new GraphDelta.Builder();
    updateClaims(pod.ref(), endpointIps(previous), endpointIps(pod));
    boolean addressesChanged = previous == null
        || previous.isEndpoint() != pod.isEndpoint()
        || !previous.ips().equals(pod.ips())
        || !previous.ports().equals(pod.ports())
        || !Objects.equals(previous.nodeName(), pod.nodeName());
    if (addressesChanged && (pod.isEndpoint() || (previous != null && previous.isEndpoint()))) {
      delta.pod(pod.ref());
    }
    if (awaitingChanged(previous, pod)) {
      delta.pod(pod.ref());
    }
    retestMemberships(pod, addressesChanged, delta);
    return delta.build();
  }

  public GraphDelta deletePod(ObjectRef ref) {
    Map<String, Pod> pods = podsByNamespace.get(ref.namespace());
    Pod previous = pods == null ? null : pods.remove(ref.name());
    if (previous == null) {
      return GraphDelta.EMPTY;
    }
    if (pods.isEmpty()) {
      podsByNamespace.remove(ref.namespace());
    }
    moveNode(ref, previous.nodeName(), null);
    recountEndpoint(previous, null);
    reindexPortNames(ref, previous, null);
    updateClaims(ref, endpointIps(previous), List.of());
    GraphDelta.Builder delta = new GraphDelta.Builder();
    Set<PeerSelector> memberships = selectorsByPod.remove(ref);
    if (memberships != null) {
      for (PeerSelector selector : memberships) {
        selectors.get(selector).members.remove(ref);
        delta.member(ref, selector);
      }
    }
    if (previous.isEndpoint() || previous.awaitsAddress()) {
      delta.pod(ref);
    }
    return delta.build();
  }

  /**
   * Whether what a node prepares for a pod waiting for its address may have changed: the pod
   * started or stopped waiting, or changed labels or node while waiting.
   */
  private static boolean awaitingChanged(Pod previous, Pod pod) {
    boolean was = previous != null && previous.awaitsAddress();
    if (!was && !pod.awaitsAddress()) {
      return false;
    }
    return was != pod.awaitsAddress() || !previous.labels().equals(pod.labels())
        || !Objects.equals(previous.nodeName(), pod.nodeName());
  }

  /** Keeps {@link #podsByNode} in step: the pod left {@code before} and runs on {@code after}. */
  private void moveNode(ObjectRef ref, String before, String after) {
    if (Objects.equals(before, after)) {
      return;
    }
    if (before != null) {
      Set<ObjectRef> onNode = podsByNode.get(before);
      onNode.remove(ref);
      if (onNode.isEmpty()) {
        podsByNode.remove(before);
      }
    }
    if (after != null) {
      podsByNode.computeIfAbsent(after, node -> new TreeSet<>()).add(ref);
    }
  }

  /** Keeps {@link #endpointCountByNode} in step: {@code before} replaced by {@code after}. */
  private void recountEndpoint(Pod before, Pod after) {
    if (before != null && before.isEndpoint() && before.nodeName() != null) {
      endpointCountByNode.computeIfPresent(before.nodeName(),
          (node, count) -> count == 1 ? null : count - 1);
    }
    if (after != null && after.isEndpoint() && after.nodeName() != null) {
      endpointCountByNode.merge(after.nodeName(), 1, Integer::sum);
    }
  }

  /** Keeps {@link #podsByPortName} in step with a pod's ports, {@code null} for no pod. */
  private void reindexPortNames(ObjectRef ref, Pod before, Pod after) {
    Set<String> had = portNames(before);
    Set<String> has = portNames(after);
    for (String name : had) {
      if (!has.contains(name)) {
        Set<ObjectRef> declaring = podsByPortName.get(name);
        declaring.remove(ref);
        if (declaring.isEmpty()) {
          podsByPortName.remove(name);
        }
      }
    }
    for (String name : has) {
      podsByPortName.computeIfAbsent(name, key -> new HashSet<>()).add(ref);
    }
  }

  private static Set<String> portNames(Pod pod) {
    if (pod == null) {
      return Set.of();
    }
    Set<String> names = new HashSet<>();
    pod.ports().stream().map(ContainerPort::name).filter(Objects::nonNull).forEach(names::add);
    return names;
  }

  private static List<InetAddress> endpointIps(Pod pod) {
    return pod != null && pod.isEndpoint() ? pod.ips() : List.of();
  }

  /** Releases the addresses a pod no longer holds and claims the new ones (kept ones stay). */
  private void updateClaims(ObjectRef ref, List<InetAddress> before, List<InetAddress> after) {
    for (InetAddress ip : before) {
      if (!after.contains(ip)) {
        LinkedHashSet<ObjectRef> claims = claimsByIp.get(ip);
        claims.remove(ref);
        if (claims.isEmpty()) {
          claimsByIp.remove(ip);
        }
      }
    }
    for (InetAddress ip : after) {
      if (!before.contains(ip)) {
        claimsByIp.computeIfAbsent(ip, key -> new LinkedHashSet<>()).add(ref);
      }
    }
  }

  /**
   * Re-tests one pod (as the graph now holds it) against every selector and records the
   * selectors it entered or left; with {@code addressesChanged}, also the selectors it stays in,
   * whose member addresses or ports changed.
   */
  private void retestMemberships(Pod pod, boolean addressesChanged, GraphDelta.Builder delta) {
    ObjectRef ref = pod.ref();
    Namespace namespace = namespaceOrBare(ref.namespace());
    Set<PeerSelector> before = selectorsByPod.getOrDefault(ref, Set.of());
    Set<PeerSelector> after = new HashSet<>();
    if (pod.isEndpoint()) {
      for (PeerSelector selector : namedSelectors.getOrDefault(ref.namespace(), Set.of())) {
        if (selector.pods().matches(pod.labels())) {
          after.add(selector);
        }
      }
      for (PeerSelector selector : labelScopedSelectors) {
        if (selector.matches(namespace, pod)) {
          after.add(selector);
        }
      }
    }
    boolean targetsChanged = false;
    for (PeerSelector selector : before) {
      if (!after.contains(selector)) {
        selectors.get(selector).members.remove(ref);
        delta.member(ref, selector);
        targetsChanged |= policiesByTarget.containsKey(selector);
      } else if (addressesChanged) {
        delta.member(ref, selector);
      }
    }
    for (PeerSelector selector : after) {
      if (!before.contains(selector)) {
        selectors.get(selector).members.add(ref);
        delta.member(ref, selector);
        targetsChanged |= policiesByTarget.containsKey(selector);
      }
    }
    if (after.isEmpty()) {
      selectorsByPod.remove(ref);
    } else {
      selectorsByPod.put(ref, after);
    }
    if (targetsChanged) {
      delta.pod(ref);
    }
  }

  // ---------------------------------------------------------------- policies

  public GraphDelta upsertPolicy(Policy policy) {
    Policy previous = policies.put(policy.ref(), policy);
    if (policy.equals(previous)) {
      return GraphDelta.EMPTY;
    }
    GraphDelta.Builder delta = new GraphDelta.Builder();
    delta.policy(policy.ref());
    Set<ObjectRef> previouslySelected = previous == null
        ? Set.of() : removePolicyIndex(previous, delta);
    addPolicyIndex(policy, delta);
    Set<ObjectRef> selected = selectors.get(policy.targets()).members;
    boolean isolationChanged = previous == null
        || !previous.policyTypes().equals(policy.policyTypes());
    for (ObjectRef pod : union(previouslySelected, selected)) {
      if (isolationChanged || previouslySelected.contains(pod) != selected.contains(pod)) {
        delta.pod(pod);
      }
    }
    return delta.build();
  }

  public GraphDelta deletePolicy(ObjectRef ref) {
    Policy previous = policies.remove(ref);
    if (previous == null) {
      return GraphDelta.EMPTY;
    }
    GraphDelta.Builder delta = new GraphDelta.Builder();
    delta.policy(ref);
    delta.pods(removePolicyIndex(previous, delta));
    return delta.build();
  }

  /** Every selector a policy uses, once per use: its target and each selector peer. */
  private static Multiset<PeerSelector> selectorsOf(Policy policy) {
    Multiset<PeerSelector> used = HashMultiset.create();
    used.add(policy.targets());
    for (Direction direction : Direction.values()) {
      for (Rule rule : policy.rules(direction)) {
        for (Peer peer : rule.peers()) {
          if (peer instanceof PeerSelector selector) {
            used.add(selector);
          }
        }
      }
    }
    return used;
  }

  private void addPolicyIndex(Policy policy, GraphDelta.Builder delta) {
    for (Multiset.Entry<PeerSelector> use : selectorsOf(policy).entrySet()) {
      SelectorEntry entry = selectors.get(use.getElement());
      if (entry == null) {
        entry = buildSelector(use.getElement());
        delta.selector(use.getElement());
      }
      entry.references += use.getCount();
    }
    policiesByTarget.computeIfAbsent(policy.targets(), target -> new HashSet<>())
        .add(policy.ref());
  }

  /** Drops a policy's selector references; returns the pods its target selected. */
  private Set<ObjectRef> removePolicyIndex(Policy policy, GraphDelta.Builder delta) {
    Set<ObjectRef> selected = Set.copyOf(selectors.get(policy.targets()).members);
    Set<ObjectRef> targetPolicies = policiesByTarget.get(policy.targets());
    targetPolicies.remove(policy.ref());
    if (targetPolicies.isEmpty()) {
      policiesByTarget.remove(policy.targets());
    }
    for (Multiset.Entry<PeerSelector> use : selectorsOf(policy).entrySet()) {
      SelectorEntry entry = selectors.get(use.getElement());
      entry.references -= use.getCount();
      if (entry.references == 0) {
        forgetSelector(use.getElement());
        for (ObjectRef member : entry.members) {
          Set<PeerSelector> memberships = selectorsByPod.get(member);
          memberships.remove(use.getElement());
          if (memberships.isEmpty()) {
            selectorsByPod.remove(member);
          }
        }
        delta.selector(use.getElement());
      }
    }
    return selected;
  }

  private void forgetSelector(PeerSelector selector) {
    selectors.remove(selector);
    if (selector.namespaces() instanceof NamespaceScope.Named named) {
      Set<PeerSelector> inNamespace = namedSelectors.get(named.namespace());
      inNamespace.remove(selector);
      if (inNamespace.isEmpty()) {
        namedSelectors.remove(named.namespace());
      }
    } else {
      labelScopedSelectors.remove(selector);
    }
  }

  /** Computes a new selector's members, visiting only the namespaces it can match. */
  private SelectorEntry buildSelector(PeerSelector selector) {
    SelectorEntry entry = new SelectorEntry();
    selectors.put(selector, entry);
    if (selector.namespaces() instanceof NamespaceScope.Named named) {
      namedSelectors.computeIfAbsent(named.namespace(), ns -> new HashSet<>()).add(selector);
    } else {
      labelScopedSelectors.add(selector);
    }
    Collection<String> candidateNamespaces =
        selector.namespaces() instanceof NamespaceScope.Named named
            ? List.of(named.namespace())
            : podsByNamespace.keySet().stream()
                .filter(ns -> selector.namespaces().matches(namespaceOrBare(ns)))
                .toList();
    for (String namespace : candidateNamespaces) {
      for (Pod pod : podsIn(namespace)) {
        if (pod.isEndpoint() && selector.pods().matches(pod.labels())) {
          entry.members.add(pod.ref());
          selectorsByPod.computeIfAbsent(pod.ref(), ref -> new HashSet<>()).add(selector);
        }
      }
    }
    return entry;
  }

  private static <T> Set<T> union(Set<T> first, Set<T> second) {
    Set<T> all = new HashSet<>(first);
    all.addAll(second);
    return all;
  }
}
