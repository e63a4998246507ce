package dev.palisade.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.Sets;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Applies long random sequences of changes to one {@link RuleGraph} and, after every change,
 * compares its indices with a graph rebuilt from scratch and with a brute-force reading of the
 * objects, and checks that the returned {@link GraphDelta} names everything that changed.
 *
 * <p>The seeds are fixed so that a run is reproducible; {@code -Dpalisade.graph.seed=N} runs
 * one other seed. A failure names the seed, the step and the change.
 */
class RuleGraphRandomChangesTest {
  private static final int STEPS = 400;

  static Stream<Long> seeds() {
    String override = System.getProperty("palisade.graph.seed");
    return override != null ? Stream.of(Long.parseLong(override))
        : LongStream.rangeClosed(1, 5).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void incrementalIndicesMatchARebuildAfterEveryChange(long seed) {
    System.out.println("RuleGraphRandomChangesTest seed " + seed);
    RandomChanges changes = new RandomChanges(seed);
    RuleGraph graph = new RuleGraph();
    Snapshot before = Snapshot.of(graph, changes.world());
    for (int step = 1; step <= STEPS; step++) {
      RandomChanges.Change change = changes.next();
      GraphDelta delta = change.apply().apply(graph);
      RandomChanges.World world = changes.world();
      Snapshot after = Snapshot.of(graph, world);

      List<String> problems = new ArrayList<>();
      checkAgainstRebuild(problems, graph, world);
      checkAgainstObjects(problems, graph, world);
      checkEndpointsByIp(problems, graph, world);
      checkNodeAndPortIndices(problems, graph, world);
      checkDelta(problems, before, after, delta);
      assertThat(problems).as("seed %s, step %s: %s", seed, step, change).isEmpty();
      before = after;
    }
  }

  private static void checkAgainstRebuild(List<String> problems, RuleGraph graph,
      RandomChanges.World world) {
    RuleGraph rebuilt = new RuleGraph();
    world.namespaces().values().forEach(rebuilt::upsertNamespace);
    world.pods().values().forEach(rebuilt::upsertPod);
    world.policies().values().forEach(rebuilt::upsertPolicy);

    expectEqual(problems, () -> "selectors()", graph.selectors(), rebuilt.selectors());
    for (PeerSelector selector : Sets.intersection(graph.selectors(), rebuilt.selectors())) {
      expectEqual(problems, () -> "members(" + selector + ")", graph.members(selector),
          rebuilt.members(selector));
    }
    for (ObjectRef pod : world.pods().keySet()) {
      expectEqual(problems, () -> "policiesSelecting(" + pod + ")",
          graph.policiesSelecting(pod), rebuilt.policiesSelecting(pod));
    }
    for (ObjectRef pod : world.pods().keySet()) {
      expectEqual(problems, () -> "policiesAwaiting(" + pod + ")",
          graph.policiesAwaiting(pod), rebuilt.policiesAwaiting(pod));
    }
    expectEqual(problems, () -> "pods()", graph.pods(), rebuilt.pods());
    expectEqual(problems, () -> "policies()", graph.policies(), rebuilt.policies());
  }

  /** What the objects say, computed the slow way. */
  private static void checkAgainstObjects(List<String> problems, RuleGraph graph,
      RandomChanges.World world) {
    Set<PeerSelector> used = new HashSet<>();
    for (Policy policy : world.policies().values()) {
      used.add(policy.targets());
      for (Direction direction : Direction.values()) {
        for (Rule rule : policy.rules(direction)) {
          rule.peers().stream().filter(PeerSelector.class::isInstance)
              .map(PeerSelector.class::cast).forEach(used::add);
        }
      }
    }
    expectEqual(problems, () -> "selectors() against the policies", graph.selectors(), used);
    for (PeerSelector selector : Sets.intersection(used, graph.selectors())) {
      Set<ObjectRef> members = new HashSet<>();
      for (Pod pod : world.pods().values()) {
        if (pod.isEndpoint()
            && selector.matches(graph.namespaceOrBare(pod.ref().namespace()), pod)) {
          members.add(pod.ref());
        }
      }
      expectEqual(problems, () -> "members(" + selector + ") against the pods",
          graph.members(selector), members);
      expectEqual(problems, () -> "unorderedMembers(" + selector + ") against the pods",
          Set.copyOf(graph.unorderedMembers(selector)), members);
    }
    for (Pod pod : world.pods().values()) {
      // A policy's target: the pods of its namespace that its pod selector matches.
      List<Policy> targeting = world.policies().values().stream()
          .filter(policy -> policy.ref().namespace().equals(pod.ref().namespace())
              && policy.podSelector().matches(pod.labels()))
          .sorted(Comparator.comparing(Policy::ref))
          .toList();
      expectEqual(problems, () -> "policiesSelecting(" + pod.ref() + ") against the policies",
          graph.policiesSelecting(pod.ref()), pod.isEndpoint() ? targeting : List.of());
      expectEqual(problems, () -> "policiesAwaiting(" + pod.ref() + ") against the policies",
          graph.policiesAwaiting(pod.ref()), pod.awaitsAddress() ? targeting : List.of());
    }
  }

  /**
   * An address held by exactly one endpoint pod maps to it; an address no endpoint holds maps
   * to nothing; an address several endpoints claim (events out of order) maps to one of them.
   */
  private static void checkEndpointsByIp(List<String> problems, RuleGraph graph,
      RandomChanges.World world) {
    Map<InetAddress, Set<ObjectRef>> holders = new HashMap<>();
    Set<InetAddress> allIps = new HashSet<>();
    for (Pod pod : world.pods().values()) {
      allIps.addAll(pod.ips());
      if (pod.isEndpoint()) {
        pod.ips().forEach(ip -> holders.computeIfAbsent(ip, k -> new HashSet<>()).add(pod.ref()));
      }
    }
    for (InetAddress ip : allIps) {
      Set<ObjectRef> expected = holders.getOrDefault(ip, Set.of());
      Optional<ObjectRef> actual = graph.endpointByIp(ip).map(Pod::ref);
      boolean right = expected.isEmpty() ? actual.isEmpty()
          : actual.isPresent() && expected.contains(actual.get());
      if (!right) {
        problems.add("endpointByIp(" + ip + ") is " + actual + ", held by " + expected);
      }
    }
  }

  /** The per-node and per-port-name indices against a scan of the objects. */
  private static void checkNodeAndPortIndices(List<String> problems, RuleGraph graph,
      RandomChanges.World world) {
    List<Pod> sorted = world.pods().values().stream().sorted(Comparator.comparing(Pod::ref))
        .toList();
    for (String node : List.of("node-1", "node-2")) {
      expectEqual(problems, () -> "endpointsOnNode(" + node + ")", graph.endpointsOnNode(node),
          sorted.stream().filter(pod -> pod.isEndpoint() && node.equals(pod.nodeName()))
              .toList());
      expectEqual(problems, () -> "endpointCountOnNode(" + node + ")",
          graph.endpointCountOnNode(node), graph.endpointsOnNode(node).size());
      expectEqual(problems, () -> "awaitingAddressOnNode(" + node + ")",
          graph.awaitingAddressOnNode(node), sorted.stream()
              .filter(pod -> pod.awaitsAddress() && node.equals(pod.nodeName())).toList());
    }
    Set<String> names = new HashSet<>();
    sorted.forEach(pod -> pod.ports().stream().map(ContainerPort::name)
        .filter(Objects::nonNull).forEach(names::add));
    names.add("undeclared");
    for (String name : names) {
      expectEqual(problems, () -> "endpointsDeclaringPort(" + name + ")",
          graph.endpointsDeclaringPort(name), sorted.stream().filter(pod -> pod.isEndpoint()
              && pod.ports().stream().anyMatch(port -> name.equals(port.name()))).toList());
    }
  }

  private static void checkDelta(List<String> problems, Snapshot before, Snapshot after,
      GraphDelta delta) {
    for (PeerSelector selector : Sets.union(before.members().keySet(),
        after.members().keySet())) {
      Set<ObjectRef> was = before.members().get(selector);
      Set<ObjectRef> is = after.members().get(selector);
      boolean changed = !Objects.equals(was, is)
          || is.stream().anyMatch(member -> before.addressesChanged(after, member));
      if (changed && !delta.selectors().contains(selector)) {
        problems.add("delta.selectors() lacks " + selector + " (" + was + " -> " + is + ")");
      }
      // With no policy changed, the members a selector gained or lost, and those whose
      // addresses changed, are all named: a planner patches the selector's members at them.
      if (delta.policies().isEmpty()) {
        Set<ObjectRef> wasMembers = was == null ? Set.of() : was;
        Set<ObjectRef> isMembers = is == null ? Set.of() : is;
        for (ObjectRef member : Sets.union(wasMembers, isMembers)) {
          boolean memberChanged = wasMembers.contains(member) != isMembers.contains(member)
              || before.addressesChanged(after, member);
          if (memberChanged && !delta.members().contains(member)) {
            problems.add("delta.members() lacks " + member + " of " + selector);
          }
        }
      }
    }
    for (ObjectRef pod : Sets.union(before.pods().keySet(), after.pods().keySet())) {
      List<String> wasSelecting = before.selection().getOrDefault(pod, List.of());
      List<String> isSelecting = after.selection().getOrDefault(pod, List.of());
      boolean ownChanged = (before.isEndpoint(pod) || after.isEndpoint(pod))
          && before.addressesChanged(after, pod);
      if ((!wasSelecting.equals(isSelecting) || ownChanged) && !delta.pods().contains(pod)) {
        problems.add("delta.pods() lacks " + pod + " (selected by " + wasSelecting + " -> "
            + isSelecting + ", addresses changed: " + ownChanged + ")");
      }
      // With a policy changed, a node asks again about every pod waiting for its address.
      List<String> wasAwaited = before.awaited().getOrDefault(pod, List.of());
      List<String> isAwaited = after.awaited().getOrDefault(pod, List.of());
      if (!wasAwaited.equals(isAwaited) && delta.policies().isEmpty()
          && !delta.pods().contains(pod)) {
        problems.add("delta.pods() lacks " + pod + ", waiting for its address (awaited by "
            + wasAwaited + " -> " + isAwaited + ")");
      }
    }
    for (ObjectRef policy : Sets.union(before.policies().keySet(), after.policies().keySet())) {
      if (!Objects.equals(before.policies().get(policy), after.policies().get(policy))
          && !delta.policies().contains(policy)) {
        problems.add("delta.policies() lacks " + policy);
      }
    }
  }

  private static void expectEqual(List<String> problems, Supplier<String> what, Object actual,
      Object expected) {
    if (!Objects.equals(actual, expected)) {
      problems.add(what.get() + " is " + actual + ", expected " + expected);
    }
  }

  /**
   * The graph's indices and the objects after one step: members per selector, per pod the
   * policies selecting it with the directions they isolate, and per pod waiting for its address
   * the policies that will select it, with its node.
   */
  private record Snapshot(Map<PeerSelector, Set<ObjectRef>> members,
      Map<ObjectRef, List<String>> selection, Map<ObjectRef, List<String>> awaited,
      Map<ObjectRef, Pod> pods, Map<ObjectRef, Policy> policies) {

    static Snapshot of(RuleGraph graph, RandomChanges.World world) {
      Map<PeerSelector, Set<ObjectRef>> members = new HashMap<>();
      graph.selectors().forEach(selector -> members.put(selector, graph.members(selector)));
      Map<ObjectRef, List<String>> selection = new HashMap<>();
      for (ObjectRef pod : world.pods().keySet()) {
        List<String> selecting = new ArrayList<>();
        graph.policiesSelecting(pod).forEach(policy ->
            selecting.add(policy.ref() + " " + policy.policyTypes()));
        selection.put(pod, selecting);
      }
      Map<ObjectRef, List<String>> awaited = new HashMap<>();
      for (ObjectRef pod : world.pods().keySet()) {
        awaited.put(pod, graph.policiesAwaiting(pod).stream()
            .map(policy -> policy.ref() + " on " + world.pods().get(pod).nodeName()).toList());
      }
      return new Snapshot(members, selection, awaited, world.pods(), world.policies());
    }

    boolean isEndpoint(ObjectRef pod) {
      return pods.containsKey(pod) && pods.get(pod).isEndpoint();
    }

    /** Whether a pod's addresses, ports, node or being an endpoint changed (or it came/went). */
    boolean addressesChanged(Snapshot after, ObjectRef ref) {
      Pod was = pods.get(ref);
      Pod is = after.pods.get(ref);
      if (was == null || is == null) {
        return was != is;
      }
      return was.isEndpoint() != is.isEndpoint() || !was.ips().equals(is.ips())
          || !was.ports().equals(is.ports()) || !Objects.equals(was.nodeName(), is.nodeName());
    }
  }
}
