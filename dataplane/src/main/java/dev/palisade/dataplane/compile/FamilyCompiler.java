package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Maps;
import dev.palisade.dataplane.rules.Action;
import dev.palisade.dataplane.rules.Chain;
import dev.palisade.dataplane.rules.Hook;
import dev.palisade.dataplane.rules.Match;
import dev.palisade.dataplane.rules.Match.CtState;
import dev.palisade.dataplane.rules.Match.Side;
import dev.palisade.dataplane.rules.Rule;
import dev.palisade.dataplane.state.ChainOwner;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.plan.AllowRule;
import dev.palisade.dataplane.plan.Endpoint;
import dev.palisade.dataplane.plan.FamilyPlan;
import dev.palisade.dataplane.plan.PeerClass;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Renders a node's plan of one IP family as iptables chains, hooks and ipsets: the iptables
 * backend. See {@code docs/dataplane.md} for the layout and a packet's walk through it.
 */
final class FamilyCompiler {
  /** The hooks sit first in their built-in chains, ahead of rules that would accept. */
  private static final int HOOK_POSITION = 1;

  private final IpFamily family;
  private final FamilyPlan plan;
  private final DataplaneSettings settings;
  private final NameLedger ledger;
  private final StableNames names;
  private final SetCatalog sets;
  private final PolicyChainCompiler policyCompiler;
  private final SortedMap<String, Chain> chains = new TreeMap<>();
  private final Map<String, ChainOwner> owners = new TreeMap<>();
  private final Map<ChainKey, RenderedPolicyChain> policyChains = new HashMap<>();
  private final Map<ChainKey, RenderedPodChain> podChains = new HashMap<>();
  private final Compiled previous;

  private FamilyCompiler(FamilyPlan plan, DataplaneSettings settings, NameLedger ledger,
      Compiled previous) {
    this.family = plan.family();
    this.plan = plan;
    this.settings = settings;
    this.ledger = ledger;
    this.names = new StableNames(settings.installation());
    this.sets = new SetCatalog(plan, ledger, names, previous.sets(), previous.setNames());
    this.policyCompiler = new PolicyChainCompiler(sets, settings.markBit());
    this.previous = previous;
  }

  /** A policy's or a pod's chain of one direction. */
  record ChainKey(ObjectRef owner, Direction direction) {}


  /**
   * A policy chain and what it was rendered from: the plan's allow rules and the sets they
   * were given (empty: none of the rules can match in this family), and the generated name its
   * name is claimed with (kept, so that the next compilation claims with the same object).
   */
  record RenderedPolicyChain(ImmutableList<AllowRule> allowRules, ImmutableList<String> sets,
      GeneratedName generated, Optional<Chain> chain) {}

  /**
   * A pod chain and what it was rendered from: the plan's endpoint and its policies' chains,
   * and the generated name its name is claimed with.
   */
  record RenderedPodChain(Endpoint endpoint, ImmutableList<Optional<String>> policyChains,
      GeneratedName generated, Chain chain) {}

  /**
   * One family's state, its sets with their sources, the chains its chain specs were rendered
   * from (by name, and each chain's spec by chain object), its policy and pod chains with what
   * they were rendered from, and its classes' generated names by class object (caches for the
   * next compilation, not part of the value).
   */
  record Compiled(FamilyState state, ImmutableSortedMap<String, SetCatalog.CompiledSet> sets,
      ImmutableMap<String, Chain> chains, Map<Chain, ChainSpec> specs,
      ImmutableMap<ChainKey, RenderedPolicyChain> policies,
      ImmutableMap<ChainKey, RenderedPodChain> pods,
      Map<PeerClass, GeneratedName> setNames) {

    /** Nothing compiled before. */
    static Compiled none(IpFamily family) {
      return new Compiled(new FamilyState(family, ImmutableSortedMap.of(), ImmutableList.of(),
          ImmutableSortedMap.of(), ImmutableSortedMap.of()), ImmutableSortedMap.of(),
          ImmutableMap.of(), Map.of(), ImmutableMap.of(), ImmutableMap.of(), Map.of());
    }

    /** The same compilation with other sets (the chains keep what they were rendered from). */
    Compiled withSets(FamilyState newState,
        ImmutableSortedMap<String, SetCatalog.CompiledSet> newSets) {
      return new Compiled(newState, newSets, chains, specs, policies, pods, setNames);
    }
  }

  /**
   * @param previous the previous compilation of the node in this family: its sets are reused
   *     when their members are the same objects in the plan, its policy and pod chains when
   *     the plan's allow rules or endpoint are the same objects and their names the same, its
   *     chain specs when the chain is rendered from equal rules (rendering a rule hashes its
   *     text; comparing rules is cheaper)
   */
  static Compiled compile(FamilyPlan plan, DataplaneSettings settings, NameLedger ledger,
      Compiled previous) {
    return new FamilyCompiler(plan, settings, ledger, previous).compile();
  }

  private Compiled compile() {
    for (Direction direction : Direction.values()) {
      compileStage(direction);
    }
    // The chains of policies that only the node's pods waiting for an address will jump to:
    // created now, so that the address's event writes the pod's chains only.
    plan.rules().keySet().forEach(key -> policyChain(key.policy(), key.direction()));
    List<Hook> hooks = new ArrayList<>();
    // Established flows RETURN, not ACCEPT: the rest of FORWARD (an admin's rule added after
    // our jump, kube-proxy, the CNI) still judges them; Palisade only takes away.
    hook(hooks, "FORWARD", names.forwardChain(), ImmutableList.<Rule>builder()
        .add(Rule.of(new Action.Return(),
            Match.Conntrack.of(CtState.RELATED, CtState.ESTABLISHED)))
        .addAll(strictTcpPickupRules())
        .addAll(failClosedRules())
        .add(Rule.of(new Action.Jump(names.stageChain(Direction.EGRESS))))
        .add(Rule.of(new Action.Jump(names.stageChain(Direction.INGRESS))))
        .build());
    // Pod-to-node traffic: the pod's egress rules, the node being an external destination.
    hook(hooks, "INPUT", names.inputChain(), hostChainRules(names.stageChain(Direction.EGRESS)));
    if (!settings.allowNodeToPods()) {
      // Node-to-pod traffic: the pod's ingress rules, the node being an external source.
      hook(hooks, "OUTPUT", names.outputChain(),
          hostChainRules(names.stageChain(Direction.INGRESS)));
    }
    Map<Chain, ChainSpec> specByChain = new IdentityHashMap<>();
    chains.values().forEach(chain -> specByChain.put(chain, spec(chain)));
    // In the order of the sorted chains, without sorting their names again.
    ImmutableSortedMap<String, ChainSpec> specs = ImmutableSortedMap.copyOfSorted(
        Maps.transformValues(chains, specByChain::get));
    ImmutableSortedMap<String, SetCatalog.CompiledSet> compiledSets = sets.build();
    return new Compiled(new FamilyState(family, specs,
        hooks.stream().map(Hook::toSpec).collect(ImmutableList.toImmutableList()),
        ImmutableSortedMap.copyOfSorted(Maps.transformValues(compiledSets,
            SetCatalog.CompiledSet::spec)), ImmutableSortedMap.copyOf(owners)), compiledSets,
        ImmutableMap.copyOf(chains), Collections.unmodifiableMap(specByChain),
        ImmutableMap.copyOf(policyChains), ImmutableMap.copyOf(podChains),
        sets.generatedNames());
  }

  /**
   * The previous spec of the same or an equal chain (the same spec object, which the writer
   * skips), or new. By chain object first: most chains are carried over as they were, and a
   * spec found by name in the sorted state cost a binary search of long, alike names.
   */
  private ChainSpec spec(Chain chain) {
    ChainSpec known = previous.specs().get(chain);
    if (known != null) {
      return known;
    }
    Chain before = previous.chains().get(chain.name());
    return chain.equals(before) ? previous.specs().get(before) : chain.toSpec();
  }

  /**
   * With strict TCP pickup (conntrack purge): a TCP packet that conntrack sees as NEW without
   * SYN is the remains of a connection whose entry was deleted; dropping it ends the connection.
   * Picked up, its reply could re-create the entry the other way round and revive it.
   */
  private List<Rule> strictTcpPickupRules() {
    return settings.strictTcpPickup()
        ? List.of(Rule.of(new Action.Drop(), new Match.TcpWithoutSyn(),
            Match.Conntrack.of(CtState.NEW)))
        : List.of();
  }

  /**
   * With fail-closed: new traffic from or to an address of the node's pod CIDRs that no known
   * local pod holds is denied, so a pod that runs before the agent has programmed it is cut off
   * instead of open. Established flows and the node's own traffic (kubelet probes) are not
   * affected: the rules sit after the conntrack rules of FORWARD only.
   */
  private List<Rule> failClosedRules() {
    List<Cidr> cidrs = settings.failClosedPodCidrs().stream()
        .filter(cidr -> cidr.family() == family).toList();
    if (cidrs.isEmpty()) {
      return List.of();
    }
    String known = sets.localPods(plan.endpoints());
    addChain(new Chain(names.failClosedChain(),
        DenyRules.forUnknownPods(settings, family)));
    List<Rule> rules = new ArrayList<>();
    for (Cidr cidr : cidrs) {
      rules.add(Rule.of(new Action.Jump(names.failClosedChain()),
          new Match.Address(Side.SOURCE, cidr), Match.InSet.notIn(known, Side.SOURCE)));
      rules.add(Rule.of(new Action.Jump(names.failClosedChain()),
          new Match.Address(Side.DESTINATION, cidr),
          Match.InSet.notIn(known, Side.DESTINATION)));
    }
    return rules;
  }

  /**
   * IPv6 neighbour discovery between a pod and its node (router and neighbour solicitations
   * and advertisements) is link plumbing, not traffic a policy speaks about; blocking it would
   * cut an isolated pod off its gateway. It is never forwarded, so only the host chains pass it.
   */
  private static final List<Integer> NEIGHBOUR_DISCOVERY_TYPES = List.of(133, 134, 135, 136);

  /**
   * The node's own traffic keeps its established flows without our verdict (RETURN leaves the
   * decision to the host's rules), IPv6 neighbour discovery passes, new flows meet one stage.
   */
  private ImmutableList<Rule> hostChainRules(String stage) {
    ImmutableList.Builder<Rule> rules = ImmutableList.builder();
    rules.add(Rule.of(new Action.Return(),
        Match.Conntrack.of(CtState.RELATED, CtState.ESTABLISHED)));
    if (family == IpFamily.V6) {
      NEIGHBOUR_DISCOVERY_TYPES.forEach(type ->
          rules.add(Rule.of(new Action.Return(), new Match.Icmpv6Type(type))));
    }
    return rules.add(Rule.of(new Action.Jump(stage))).build();
  }

  private void hook(List<Hook> hooks, String builtin, String chain, ImmutableList<Rule> rules) {
    addChain(new Chain(chain, rules));
    hooks.add(new Hook(builtin, HOOK_POSITION, Rule.of(new Action.Jump(chain))));
  }

  /**
   * One direction: a pod chain per local pod isolated in it, an ipset gate that lets every
   * other packet leave after one lookup, and the dispatch tree behind the gate.
   */
  private void compileStage(Direction direction) {
    List<DispatchTree.Target> targets = new ArrayList<>();
    List<Endpoint> isolated = new ArrayList<>();
    for (Endpoint endpoint : plan.endpoints()) {
      if (!endpoint.isolated(direction)) {
        continue;
      }
      String podChain = compilePodChain(direction, endpoint);
      targets.add(new DispatchTree.Target(endpoint.address(family), podChain));
      isolated.add(endpoint);
    }
    Side side = direction == Direction.INGRESS ? Side.DESTINATION : Side.SOURCE;
    String gate = sets.isolated(direction, isolated);
    DispatchTree.Tree tree = DispatchTree.build(direction, targets, ledger, names);
    tree.innerChains().forEach(chain -> chains.put(chain.name(), chain));
    String stage = names.stageChain(direction);
    // INVALID packets belong to no allowed flow; dropped only behind the gate, so the traffic
    // of pods no policy isolates (and of the node) is not Palisade's to judge.
    addChain(new Chain(stage, ImmutableList.<Rule>builder()
        .add(Rule.of(new Action.Return(), Match.InSet.notIn(gate, side)))
        .add(Rule.of(new Action.Drop(), Match.Conntrack.of(CtState.INVALID)))
        .addAll(tree.rootRules()).build()));
  }

  /**
   * The endpoint's chain: clears the allowed bit, tries each selecting policy's chain and
   * returns as soon as one set the bit; what falls through is denied. The previous one when
   * it was rendered from the same endpoint object and the same policy chains.
   */
  private String compilePodChain(Direction direction, Endpoint endpoint) {
    List<Optional<String>> chainsOfPolicies = new ArrayList<>();
    for (ObjectRef policy : endpoint.isolatedBy(direction)) {
      chainsOfPolicies.add(policyChain(policy, direction));
    }
    ChainKey key = new ChainKey(endpoint.ref(), direction);
    RenderedPodChain before = previous.pods().get(key);
    GeneratedName generated = before != null ? before.generated()
        : names.podChain(direction, endpoint.ref());
    String name = ledger.claim(generated);
    Chain chain = before != null && before.endpoint() == endpoint
        && before.chain().name().equals(name) && before.policyChains().equals(chainsOfPolicies)
        ? before.chain()
        : new Chain(name, podChainRules(direction, endpoint.ref(), chainsOfPolicies));
    podChains.put(key, new RenderedPodChain(endpoint, ImmutableList.copyOf(chainsOfPolicies),
        generated, chain));
    addChain(chain);
    owners.put(name, ChainOwner.pod(endpoint.ref(), direction));
    return name;
  }

  private ImmutableList<Rule> podChainRules(Direction direction, ObjectRef pod,
      List<Optional<String>> chainsOfPolicies) {
    int bit = settings.markBit();
    List<Rule> rules = new ArrayList<>();
    for (Optional<String> policyChain : chainsOfPolicies) {
      policyChain.ifPresent(chain -> {
        rules.add(Rule.of(new Action.Jump(chain)));
        rules.add(Rule.of(new Action.Return(), new Match.Mark(bit, bit)));
      });
    }
    if (!rules.isEmpty()) {
      rules.add(0, Rule.of(new Action.ClearMark(bit)));
    }
    rules.addAll(DenyRules.of(settings, family, direction, pod));
    return ImmutableList.copyOf(rules);
  }

  private Optional<String> policyChain(ObjectRef policy, Direction direction) {
    return policyChains.computeIfAbsent(new ChainKey(policy, direction), key -> {
      RenderedPolicyChain rendered = renderedPolicyChain(key);
      rendered.chain().ifPresent(chain -> {
        addChain(chain);
        owners.put(chain.name(), ChainOwner.policy(policy, direction));
      });
      return rendered;
    }).chain().map(Chain::name);
  }

  /**
   * A policy's chain of one direction: the previous one when it was rendered from the same
   * allow rules object and its sets and name are the same in this compilation (they differ
   * only when hash collisions resolve differently), else rendered.
   */
  private RenderedPolicyChain renderedPolicyChain(ChainKey key) {
    ImmutableList<AllowRule> allowRules = plan.rules(key.owner(), key.direction());
    RenderedPolicyChain before = previous.policies().get(key);
    GeneratedName generated = before != null ? before.generated()
        : names.policyChain(key.direction(), key.owner());
    if (before != null && before.allowRules() == allowRules && ledger.continues()) {
      // The ledger continues the one that named the chain and its sets: they keep their names,
      // so the chain is the previous one, and its sets are the previous ones with their
      // members refreshed. A new name colliding with one of them is still a detour, which
      // sends the compilation back to a fresh ledger and this walk below.
      before.sets().forEach(sets::carry);
      ledger.carried(1 + before.sets().size());
      return before;
    }
    List<String> setsUsed = new ArrayList<>();
    if (before != null && before.allowRules() == allowRules) {
      policyCompiler.defineSets(allowRules, setsUsed);
      if (setsUsed.equals(before.sets()) && before.chain().map(chain -> chain.name().equals(
          ledger.claim(generated))).orElse(true)) {
        return before;
      }
      setsUsed.clear();
    }
    ImmutableList<Rule> rules = policyCompiler.compile(allowRules, key.direction(), setsUsed);
    Optional<Chain> chain = rules.isEmpty() ? Optional.empty()
        : Optional.of(new Chain(ledger.claim(generated), rules));
    return new RenderedPolicyChain(allowRules, ImmutableList.copyOf(setsUsed), generated,
        chain);
  }

  private void addChain(Chain chain) {
    chains.put(chain.name(), chain);
  }
}
