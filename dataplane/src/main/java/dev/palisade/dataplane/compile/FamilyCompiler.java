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
import dev.palisade.dataplane.state.HookSpec;
import dev.palisade.dataplane.plan.AllowRule;
import dev.palisade.dataplane.plan.Endpoint;
import dev.palisade.dataplane.plan.FamilyPlan;
import dev.palisade.dataplane.plan.FamilyPlan.PolicyDirection;
import dev.palisade.dataplane.plan.PeerClass;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
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
  /** The chains by name: empty to start with, or the previous ones when patching. */
  private final SortedMap<String, Chain> chains;
  /** The owners by chain name, as {@link #chains}. */
  private final SortedMap<String, ChainOwner> owners;
  /** Filled as the chains are rendered; a patch of the same allow rules takes the previous. */
  private Map<ChainKey, RenderedPolicyChain> policyChains = new HashMap<>();
  private final Map<ChainKey, RenderedPodChain> podChains = new HashMap<>();
  private final Map<Direction, RenderedStage> stages = new EnumMap<>(Direction.class);
  private final Compiled previous;
  /**
   * Whether this compilation patches the previous one: its chains, owners and names are there
   * to start with, and only what the plan changed is rendered and put in or taken out.
   */
  private final boolean patching;

  private FamilyCompiler(FamilyPlan plan, DataplaneSettings settings, NameLedger ledger,
      Compiled previous, boolean patching) {
    this.family = plan.family();
    this.plan = plan;
    this.settings = settings;
    this.ledger = ledger;
    this.names = new StableNames(settings.installation());
    this.sets = new SetCatalog(plan, ledger, names, previous.sets(), previous.setNames());
    this.policyCompiler = new PolicyChainCompiler(sets, settings.markBit());
    this.previous = previous;
    this.patching = patching;
    // Copied from sorted maps: in their order, without comparing names.
    this.chains = patching ? new TreeMap<>(previous.chains()) : new TreeMap<>();
    this.owners = patching ? new TreeMap<>(previous.state().owners()) : new TreeMap<>();
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
   * A direction's stage: the dispatch targets it was built from, in the plan's endpoint order,
   * and the tree built from them (the stage chain's name is fixed).
   */
  record RenderedStage(ImmutableList<DispatchTree.Target> targets, DispatchTree.Tree tree) {

    /**
     * The stage as if the pod at {@code address} had just come: its target left out, and the
     * tree without the path to it (a patch rebuilds the stage, and the path).
     */
    RenderedStage asIfNew(InetAddress address) {
      return new RenderedStage(targets.stream().filter(target -> !target.address().equals(address))
          .collect(ImmutableList.toImmutableList()), tree.withoutPathTo(address));
    }
  }

  /**
   * One family's state, its sets with their sources, the chains its chain specs were rendered
   * from (by name, and each chain's spec by chain object), the plan's allow rules (the map
   * object), its policy and pod chains and stages with what they were rendered from, and its
   * classes' generated names by class object (caches for the next compilation, not part of the
   * value).
   */
  record Compiled(FamilyState state, ImmutableSortedMap<String, SetCatalog.CompiledSet> sets,
      ImmutableSortedMap<String, Chain> chains, Map<Chain, ChainSpec> specs,
      ImmutableMap<PolicyDirection, ImmutableList<AllowRule>> rules,
      ImmutableMap<ChainKey, RenderedPolicyChain> policies,
      ImmutableMap<ChainKey, RenderedPodChain> pods,
      ImmutableMap<Direction, RenderedStage> stages,
      Map<PeerClass, GeneratedName> setNames) {

    /** Nothing compiled before. */
    static Compiled none(IpFamily family) {
      return new Compiled(new FamilyState(family, ImmutableSortedMap.of(), ImmutableList.of(),
          ImmutableSortedMap.of(), ImmutableSortedMap.of()), ImmutableSortedMap.of(),
          ImmutableSortedMap.of(), Map.of(), ImmutableMap.of(), ImmutableMap.of(),
          ImmutableMap.of(), ImmutableMap.of(), Map.of());
    }

    /** The same compilation with other sets (the chains keep what they were rendered from). */
    Compiled withSets(FamilyState newState,
        ImmutableSortedMap<String, SetCatalog.CompiledSet> newSets) {
      return new Compiled(newState, newSets, chains, specs, rules, policies, pods, stages,
          setNames);
    }

    /**
     * The same compilation with its stages as if the pod at {@code address} had just come
     * ({@link RenderedStage#asIfNew}): a patch of it builds them as that pod's event does.
     */
    Compiled withStagesAsIfNew(InetAddress address) {
      return new Compiled(state, sets, chains, specs, rules, policies, pods,
          ImmutableMap.copyOf(Maps.transformValues(stages, stage -> stage.asIfNew(address))),
          setNames);
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
    // A continued ledger holds every name of the previous compilation, which a patch keeps.
    return ledger.continues()
        ? new FamilyCompiler(plan, settings, ledger, previous, true).patch()
        : new FamilyCompiler(plan, settings, ledger, previous, false).compile();
  }

  /** Renders the whole plan, claiming every name in the compiler's fixed order. */
  private Compiled compile() {
    for (Direction direction : Direction.values()) {
      compileStage(direction);
    }
    // The chains of policies that only the node's pods waiting for an address will jump to:
    // created now, so that the address's event writes the pod's chains only.
    plan.rules().keySet().forEach(key -> policyChain(key.policy(), key.direction()));
    List<Hook> hooks = new ArrayList<>();
    hook(hooks, "FORWARD", names.forwardChain(), ImmutableList.<Rule>builder()
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
    return compiled(hooks.stream().map(Hook::toSpec)
        .collect(ImmutableList.toImmutableList()));
  }

  /**
   * Renders what the plan changed on top of the previous compilation, whose ledger this one
   * continues, with the result {@link #compile} would give: the chains of policies whose allow
   * rules are new objects, of endpoints that are new objects or jump to such a policy chain,
   * the stages whose dispatch targets changed, and the node's gate sets. Every other chain and
   * set is carried over, and what the plan no longer has is taken out. A change to one of the
   * node's pods renders its two pod chains and two dispatch trees, not the node's hundreds of
   * chains.
   */
  private Compiled patch() {
    if (plan.rules() == previous.rules()) {
      // The same allow rules objects (a change to the node's pods only): the same policy
      // chains under the same names, and the same sets with their members refreshed.
      policyChains = previous.policies();
      sets.carryClassSets();
      ledger.carried(previous.policies().size() + previous.sets().size());
    } else {
      patchPolicyChains();
    }
    for (Direction direction : Direction.values()) {
      compileStage(direction);
    }
    previous.pods().forEach((key, before) -> {
      RenderedPodChain now = podChains.get(key);
      takeOutUnlessRenamedTo(before.chain(), now == null ? Optional.empty()
          : Optional.of(now.chain()));
    });
    if (!failClosedCidrs().isEmpty()) {
      sets.localPods(plan.endpoints());
    }
    return compiled(previous.state().hooks());
  }

  /**
   * The chains of the plan's policies: carried over where the allow rules are the same object,
   * rendered where they are new; those of policies the plan no longer has are taken out.
   */
  private void patchPolicyChains() {
    for (PolicyDirection policy : plan.rules().keySet()) {
      ChainKey key = new ChainKey(policy.policy(), policy.direction());
      RenderedPolicyChain before = previous.policies().get(key);
      RenderedPolicyChain now = renderedPolicyChain(key);
      policyChains.put(key, now);
      if (now != before) {
        now.chain().ifPresent(chain -> putChain(chain,
            ChainOwner.policy(key.owner(), key.direction())));
      }
    }
    previous.policies().forEach((key, before) -> {
      RenderedPolicyChain now = policyChains.get(key);
      before.chain().ifPresent(chain -> takeOutUnlessRenamedTo(chain,
          now == null ? Optional.empty() : now.chain()));
    });
  }

  /**
   * Takes a chain of the previous compilation out, with its owner, unless the chain this
   * compilation rendered for the same pod or policy has the same name (and took its place).
   * Names stand for one identity each in a continued ledger, so no other chain can hold it.
   */
  private void takeOutUnlessRenamedTo(Chain before, Optional<Chain> now) {
    if (now.map(chain -> chain.name().equals(before.name())).orElse(false)) {
      return;
    }
    chains.remove(before.name());
    owners.remove(before.name());
  }

  private void putChain(Chain chain, ChainOwner owner) {
    addChain(chain);
    owners.put(chain.name(), owner);
  }

  /** The compilation of the chains and sets rendered or carried so far, and {@code hooks}. */
  private Compiled compiled(ImmutableList<HookSpec> hooks) {
    Map<Chain, ChainSpec> specByChain = new IdentityHashMap<>(chains.size());
    chains.values().forEach(chain -> specByChain.put(chain, spec(chain)));
    // In the order of the sorted chains, without sorting their names again.
    ImmutableSortedMap<String, ChainSpec> specs = ImmutableSortedMap.copyOfSorted(
        Maps.transformValues(chains, specByChain::get));
    ImmutableSortedMap<String, SetCatalog.CompiledSet> compiledSets = sets.build();
    return new Compiled(new FamilyState(family, specs, hooks,
        ImmutableSortedMap.copyOfSorted(Maps.transformValues(compiledSets,
            SetCatalog.CompiledSet::spec)), ImmutableSortedMap.copyOfSorted(owners)),
        compiledSets, ImmutableSortedMap.copyOfSorted(chains),
        Collections.unmodifiableMap(specByChain), plan.rules(),
        ImmutableMap.copyOf(policyChains),
        ImmutableMap.copyOf(podChains), Maps.immutableEnumMap(stages), sets.generatedNames());
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
    List<Cidr> cidrs = failClosedCidrs();
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

  /** The node's pod CIDRs of this family that fail-closed guards, if it is on. */
  private List<Cidr> failClosedCidrs() {
    return settings.failClosedPodCidrs().stream().filter(cidr -> cidr.family() == family)
        .toList();
  }

  /**
   * IPv6 neighbour discovery between a pod and its node (router and neighbour solicitations
   * and advertisements) is link plumbing, not traffic a policy speaks about; blocking it would
   * cut an isolated pod off its gateway. It is never forwarded, so only the host chains pass it.
   */
  private static final List<Integer> NEIGHBOUR_DISCOVERY_TYPES = List.of(133, 134, 135, 136);

  /**
   * The node's own traffic: IPv6 neighbour discovery passes, new flows meet one stage (its
   * established flows never enter: see {@link #hook}).
   */
  private ImmutableList<Rule> hostChainRules(String stage) {
    ImmutableList.Builder<Rule> rules = ImmutableList.builder();
    if (family == IpFamily.V6) {
      NEIGHBOUR_DISCOVERY_TYPES.forEach(type ->
          rules.add(Rule.of(new Action.Return(), new Match.Icmpv6Type(type))));
    }
    return rules.add(Rule.of(new Action.Jump(stage))).build();
  }

  /**
   * The chain {@code builtin} jumps to with the packets conntrack does not know as part of an
   * established or related flow. Those flows are not Palisade's to judge again, and they go on
   * through the rest of the built-in chain (an admin's rule added after our jump, kube-proxy,
   * the CNI), not to ACCEPT: Palisade only takes away. Leaving them out at the jump rather than
   * returning them from the chain saves every such packet (most packets of every connection) a
   * rule and a jump: with iptables-nft each of our rules calls a compatibility match for its
   * comment, and the conntrack match is such a call too.
   */
  private void hook(List<Hook> hooks, String builtin, String chain, ImmutableList<Rule> rules) {
    addChain(new Chain(chain, rules));
    hooks.add(new Hook(builtin, HOOK_POSITION, Rule.of(new Action.Jump(chain),
        Match.Conntrack.noneOf(CtState.RELATED, CtState.ESTABLISHED))));
  }

  /**
   * One direction: a pod chain per local pod isolated in it, an ipset gate that lets every
   * other packet leave after one lookup, and the dispatch tree behind the gate. A patch keeps
   * the previous gate, tree and stage chain when the dispatch targets are the same.
   */
  private void compileStage(Direction direction) {
    ImmutableList.Builder<DispatchTree.Target> targetList = ImmutableList.builder();
    List<Endpoint> isolated = new ArrayList<>();
    for (Endpoint endpoint : plan.endpoints()) {
      if (!endpoint.isolated(direction)) {
        continue;
      }
      String podChain = podChain(direction, endpoint);
      targetList.add(new DispatchTree.Target(endpoint.address(family), podChain));
      isolated.add(endpoint);
    }
    ImmutableList<DispatchTree.Target> targets = targetList.build();
    // Only a patch builds on the previous stage; a whole render claims every name anew.
    RenderedStage before = patching ? previous.stages().get(direction) : null;
    if (before != null && before.targets().equals(targets)) {
      // The gate's members are the targets' addresses: the same set too.
      sets.carry(names.isolatedSet(family, direction));
      ledger.carried(before.tree().innerChains().size());
      stages.put(direction, before);
      return;
    }
    if (before != null) {
      before.tree().innerChains().forEach(chain -> chains.remove(chain.name()));
    }
    Side side = direction == Direction.INGRESS ? Side.DESTINATION : Side.SOURCE;
    String gate = sets.isolated(direction, isolated);
    DispatchTree.Tree tree = DispatchTree.build(direction, targets, ledger, names,
        before != null ? before.tree() : DispatchTree.Tree.EMPTY);
    stages.put(direction, new RenderedStage(targets, tree));
    tree.innerChains().forEach(this::addChain);
    String stage = names.stageChain(direction);
    // INVALID packets belong to no allowed flow; dropped only behind the gate, so the traffic
    // of pods no policy isolates (and of the node) is not Palisade's to judge.
    addChain(new Chain(stage, ImmutableList.<Rule>builder()
        .add(Rule.of(new Action.Return(), Match.InSet.notIn(gate, side)))
        .add(Rule.of(new Action.Drop(), Match.Conntrack.of(CtState.INVALID)))
        // last: the tree goes by goto, so nothing after it would be reached from inside it
        .addAll(tree.rootRules()).build()));
  }

  /**
   * The endpoint's chain's name: a patch carries the previous chain over, without claiming its
   * name again, when the endpoint is the same object and no chain it jumps to was rendered anew
   * (the chains of the policies it names are then the previous ones, under the same names).
   */
  private String podChain(Direction direction, Endpoint endpoint) {
    if (patching) {
      ChainKey key = new ChainKey(endpoint.ref(), direction);
      RenderedPodChain before = previous.pods().get(key);
      if (before != null && before.endpoint() == endpoint
          && jumpsToCarriedPolicyChains(endpoint, direction)) {
        podChains.put(key, before);
        ledger.carried(1);
        return before.chain().name();
      }
    }
    return compilePodChain(direction, endpoint);
  }

  private boolean jumpsToCarriedPolicyChains(Endpoint endpoint, Direction direction) {
    for (ObjectRef policy : endpoint.isolatedBy(direction)) {
      ChainKey key = new ChainKey(policy, direction);
      if (policyChains.get(key) != previous.policies().get(key)) {
        return false;
      }
    }
    return true;
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
    ChainKey key = new ChainKey(policy, direction);
    RenderedPolicyChain rendered = policyChains.get(key);
    if (rendered == null) {
      rendered = renderedPolicyChain(key);
      rendered.chain().ifPresent(chain -> putChain(chain, ChainOwner.policy(policy, direction)));
      policyChains.put(key, rendered);
    }
    return rendered.chain().map(Chain::name);
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
