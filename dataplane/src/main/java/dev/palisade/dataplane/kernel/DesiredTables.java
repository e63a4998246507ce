package dev.palisade.dataplane.kernel;

import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.HookSpec;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.model.IpFamily;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * A {@link DesiredState} checked and put in the writer's terms: rules parsed (each must carry a
 * {@code pal:} hash), jumps checked, set members in {@code ipset save} text and set names
 * unique across families (ipsets share one namespace per network namespace), every chain and
 * set named with the installation's prefix. Bad input fails here, naming what is wrong, before
 * anything touches the kernel.
 */
record DesiredTables(Installation owner,
    Map<IpFamily, ImmutableSortedMap<String, ImmutableList<RuleText>>> chains,
    Map<IpFamily, List<HookSpec>> hooks, ImmutableSortedMap<String, IpSetSpec> sets) {

  /**
   * A desired state and what it was put in the writer's terms as: the next state's chains that
   * are equal, and sets that are the same objects, are not parsed or made canonical again (at
   * 10,000 pods that is 1,700 rules and 23,000 members per sync).
   */
  static final class Parsed {
    private final DesiredState state;
    private final DesiredTables tables;
    /**
     * Each chain's parse and each set's canonical form, by the state's object: the compiler
     * hands out unchanged chains and sets as the same objects, and finding them by identity
     * costs no string comparison (at 10,000 pods, looking up 550 chains and 250 sets by name
     * was most of putting a local pod's change in the writer's terms).
     */
    private final Map<ChainSpec, ImmutableList<RuleText>> rulesBySpec;
    private final Map<IpSetSpec, IpSetSpec> canonicalBySpec;

    /**
     * @param previous the parse of the state before, or null; while the compiler kept every
     *     chain of both families (a change of set members only), its chains' map is this one's
     */
    Parsed(DesiredState state, DesiredTables tables, Parsed previous) {
      this.state = state;
      this.tables = tables;
      boolean sameChains = previous != null && Arrays.stream(IpFamily.values()).allMatch(
          family -> state.family(family).chains() == previous.state.family(family).chains());
      this.rulesBySpec = sameChains ? previous.rulesBySpec
          : new IdentityHashMap<>(count(state, family -> family.chains().size()));
      this.canonicalBySpec = new IdentityHashMap<>(count(state, family -> family.sets().size()));
      for (IpFamily family : IpFamily.values()) {
        FamilyState wanted = state.family(family);
        if (!sameChains) {
          // The parse has the state's chains, by the same names and so in the same order.
          Iterator<Map.Entry<String, ImmutableList<RuleText>>> parsed =
              tables.chains().get(family).entrySet().iterator();
          for (ChainSpec chain : wanted.chains().values()) {
            Map.Entry<String, ImmutableList<RuleText>> rules = parsed.next();
            checkState(rules.getKey().equals(chain.name()), "parsed %s as %s", chain.name(),
                rules.getKey());
            rulesBySpec.put(chain, rules.getValue());
          }
        }
        for (IpSetSpec set : wanted.sets().values()) {
          canonicalBySpec.put(set, tables.sets().get(set.name()));
        }
      }
    }

    private static int count(DesiredState state, ToIntFunction<FamilyState> perFamily) {
      return Arrays.stream(IpFamily.values()).map(state::family).mapToInt(perFamily).sum();
    }

    DesiredState state() {
      return state;
    }

    DesiredTables tables() {
      return tables;
    }
  }

  static DesiredTables of(DesiredState state, Installation owner) {
    return of(state, owner, null);
  }

  /** @param previous the last state parsed for the same installation, or null */
  static DesiredTables of(DesiredState state, Installation owner, Parsed previous) {
    Map<IpFamily, ImmutableSortedMap<String, ImmutableList<RuleText>>> chains =
        new LinkedHashMap<>();
    Map<IpFamily, List<HookSpec>> hooks = new LinkedHashMap<>();
    Map<String, IpSetSpec> sets = new TreeMap<>();
    Map<IpFamily, Set<String>> reparsedByFamily = new LinkedHashMap<>();
    for (IpFamily family : IpFamily.values()) {
      FamilyState familyState = state.family(family);
      if (familyState.family() != family) {
        throw new IllegalArgumentException("the " + family + " slot of the desired state holds "
            + familyState.family() + " state");
      }
      FamilyState before = previous == null ? null : previous.state().family(family);
      Set<String> reparsed = new HashSet<>();
      ImmutableSortedMap<String, ImmutableList<RuleText>> parsed;
      if (before != null && familyState.chains() == before.chains()) {
        // The compiler kept every chain (a change of set members only): so does the parse.
        parsed = previous.tables().chains().get(family);
      } else {
        ImmutableSortedMap.Builder<String, ImmutableList<RuleText>> builder =
            ImmutableSortedMap.naturalOrder();
        for (ChainSpec chain : familyState.chains().values()) {
          requirePrefix("chain", chain.name(), owner.chainPrefix());
          ImmutableList<RuleText> known = previous == null ? null
              : previous.rulesBySpec.get(chain);
          if (known != null) {
            builder.put(chain.name(), known);
          } else if (before != null && chain.equals(before.chains().get(chain.name()))) {
            builder.put(chain.name(), previous.tables().chains().get(family).get(chain.name()));
          } else {
            builder.put(chain.name(), chain.rules().stream()
                .map(rule -> RuleText.desired(chain.name(), rule))
                .collect(ImmutableList.toImmutableList()));
            reparsed.add(chain.name());
          }
        }
        parsed = builder.build();
      }
      chains.put(family, parsed);
      reparsedByFamily.put(family, reparsed);
      for (HookSpec hook : familyState.hooks()) {
        checkHook(family, hook, parsed, owner);
      }
      hooks.put(family, familyState.hooks());
      for (IpSetSpec set : familyState.sets().values()) {
        requirePrefix("set", set.name(), owner.setPrefix());
        IpSetSpec canonical = previous == null ? null : previous.canonicalBySpec.get(set);
        if (canonical == null) {
          IpSetSpec wantedBefore = before == null ? null : before.sets().get(set.name());
          canonical = canonical(set, wantedBefore,
              wantedBefore == null ? null : previous.tables().sets().get(set.name()));
        }
        IpSetSpec sameName = sets.putIfAbsent(set.name(), canonical);
        if (sameName != null && !sameName.equals(canonical)) {
          throw new IllegalArgumentException("set " + set.name()
              + " is wanted twice with different contents (names are shared by both families)");
        }
      }
    }
    // A chain parsed before was checked before: while no chain or set name came or went, its
    // references still resolve, and only the chains parsed now need checking (at 10,000 pods,
    // checking all 1,700 rules cost more than the rest of a sets-only apply).
    boolean sameNames = previous != null
        && previous.tables().sets().keySet().equals(sets.keySet())
        && chains.entrySet().stream().allMatch(family -> previous.tables().chains()
            .get(family.getKey()).keySet().equals(family.getValue().keySet()));
    checkReferences(chains, sameNames ? reparsedByFamily : null, sets.keySet());
    return new DesiredTables(owner, chains, hooks, ImmutableSortedMap.copyOf(sets));
  }

  private static void requirePrefix(String kind, String name, String prefix) {
    if (!name.startsWith(prefix)) {
      throw new IllegalArgumentException(kind + " " + name + " lacks the installation's prefix "
          + prefix);
    }
  }

  /** The targets a rule may name besides the installation's own chains. */
  private static final Set<String> STANDARD_TARGETS =
      Set.of("ACCEPT", "DROP", "RETURN", "REJECT", "MARK", "NFLOG");

  /**
   * Every jump must reach a desired chain of the installation (never a foreign chain, such as
   * kube-proxy's) and every set match a desired set.
   *
   * @param only per family the chains to check, or null for all
   */
  private static void checkReferences(
      Map<IpFamily, ImmutableSortedMap<String, ImmutableList<RuleText>>> chains,
      Map<IpFamily, Set<String>> only, Set<String> setNames) {
    if (only != null && only.values().stream().allMatch(Set::isEmpty)) {
      return;
    }
    // Hash lookups: a rule's names are other string objects than the keys, and a sorted map's
    // lookup compares long common prefixes about ten times per name.
    Set<String> sets = new HashSet<>(setNames);
    for (Map.Entry<IpFamily, ImmutableSortedMap<String, ImmutableList<RuleText>>> family
        : chains.entrySet()) {
      Set<String> chainNames = new HashSet<>(family.getValue().keySet());
      for (Map.Entry<String, ImmutableList<RuleText>> chain : family.getValue().entrySet()) {
        if (only == null || only.get(family.getKey()).contains(chain.getKey())) {
          chain.getValue().forEach(rule -> checkReferences(family.getKey(), chain.getKey(), rule,
              chainNames, sets));
        }
      }
    }
  }

  private static void checkReferences(IpFamily family, String chain, RuleText rule,
      Set<String> chains, Set<String> sets) {
    rule.target().filter(t -> !STANDARD_TARGETS.contains(t) && !chains.contains(t))
        .ifPresent(t -> {
          throw new IllegalArgumentException(family + " chain " + chain + " jumps to " + t
              + ", which the desired state does not define: " + rule.text());
        });
    for (String set : rule.matchSets()) {
      if (!sets.contains(set)) {
        throw new IllegalArgumentException(family + " chain " + chain + " matches set " + set
            + ", which the desired state does not define: " + rule.text());
      }
    }
  }

  /** Nothing: what {@code cleanup} converges to. */
  static DesiredTables nothing(Installation owner) {
    Map<IpFamily, ImmutableSortedMap<String, ImmutableList<RuleText>>> chains =
        new LinkedHashMap<>();
    Map<IpFamily, List<HookSpec>> hooks = new LinkedHashMap<>();
    for (IpFamily family : IpFamily.values()) {
      chains.put(family, ImmutableSortedMap.of());
      hooks.put(family, List.of());
    }
    return new DesiredTables(owner, chains, hooks, ImmutableSortedMap.of());
  }

  private static void checkHook(IpFamily family, HookSpec hook,
      Map<String, ImmutableList<RuleText>> chains, Installation owner) {
    RuleText rule = RuleText.desired(hook.builtinChain(), hook.rule());
    String where = family + " jump from " + hook.builtinChain();
    if (!List.of("INPUT", "FORWARD", "OUTPUT").contains(hook.builtinChain())) {
      throw new IllegalArgumentException(where + ": not a built-in chain of the filter table");
    }
    if (hook.position() < 1) {
      throw new IllegalArgumentException(where + ": position must be >= 1, got "
          + hook.position());
    }
    String target = rule.target().orElse("");
    if (!rule.jumpsInto(owner.chainPrefix()) || !chains.containsKey(target)) {
      throw new IllegalArgumentException(where + " must jump into a desired Palisade chain: "
          + hook.rule());
    }
  }

  /**
   * The set with its members in {@code ipset save} text: the set itself when they already are
   * (the compiler writes them so), which later syncs recognise by identity.
   *
   * @param wantedBefore the set of the same name in the previous state, or null
   * @param canonicalBefore what {@code wantedBefore} was made; the same object when its members
   *     were canonical already, in which case only members it did not hold are parsed (a
   *     changed set of 10,000 members parses the few that changed, not all of them)
   */
  private static IpSetSpec canonical(IpSetSpec set, IpSetSpec wantedBefore,
      IpSetSpec canonicalBefore) {
    boolean previousWasCanonical = wantedBefore != null && canonicalBefore == wantedBefore
        && wantedBefore.type() == set.type() && wantedBefore.family() == set.family();
    if (isCanonical(set, previousWasCanonical ? wantedBefore.members() : null)) {
      return set;
    }
    ImmutableSortedSet<String> members = set.members().stream()
        .map(m -> SetMembers.canonical(set.name(), set.type(), set.family(), m))
        .collect(ImmutableSortedSet.toImmutableSortedSet(String::compareTo));
    return new IpSetSpec(set.name(), set.type(), set.family(), members);
  }

  /** @param canonicalBefore members known canonical (not parsed again), or null */
  private static boolean isCanonical(IpSetSpec set, ImmutableSortedSet<String> canonicalBefore) {
    Predicate<String> canonical = member -> SetMembers.canonical(set.name(), set.type(),
        set.family(), member).equals(member);
    if (canonicalBefore == null) {
      return set.members().stream().allMatch(canonical);
    }
    return SortedDifference.of(canonicalBefore, set.members()).onlyAfter().stream()
        .allMatch(canonical);
  }
}
