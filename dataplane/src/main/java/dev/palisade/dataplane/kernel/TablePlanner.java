package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.dataplane.rules.Action;
import dev.palisade.dataplane.rules.Chain;
import dev.palisade.dataplane.rules.Rule;
import dev.palisade.dataplane.state.HookSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Plans one family's {@code iptables-restore --noflush} transaction. Order inside it:
 * <ol>
 *   <li>declare new chains (never an existing one: in noflush mode a declaration flushes it);
 *   <li>delete misplaced jumps from built-in chains;
 *   <li>edit changed chains ({@link ChainEditor}) and fill new ones;
 *   <li>insert jumps at their positions;
 *   <li>flush, then delete, chains no longer wanted (nothing of ours references them any more).
 * </ol>
 * Only {@code PALISADE-} chains and Palisade jumps appear; no table flush, no foreign chain.
 *
 * <p>A chain no longer wanted that a foreign rule still jumps into cannot be deleted: the kernel
 * refuses ("Device or resource busy"), and with it the whole transaction, which would wedge
 * every later sync too. Such a chain is kept, reduced to a single RETURN (it then neither
 * allows nor denies anything for the foreign caller, and references no other chain or set of
 * ours), and reported as a {@link Leftover} naming the foreign rule; the first apply after the
 * rule is gone deletes it.
 */
final class TablePlanner {
  private TablePlanner() {}

  record TablePlan(List<String> commands, WriteCounts counts, List<Leftover> leftovers) {
    String payload() {
      return commands.isEmpty() ? ""
          : "*filter\n" + String.join("\n", commands) + "\nCOMMIT\n";
    }
  }

  /**
   * @param chains desired chains, rules parsed
   * @param hooks desired jumps
   * @param staleSets sets being replaced or destroyed: a kernel rule naming one is rewritten
   * @param strategy {@link WriteStrategy#FULL_RESYNC} redeclares (so flushes) and rewrites every
   *     chain
   */
  static TablePlan plan(ImmutableSortedMap<String, ImmutableList<RuleText>> chains,
      List<HookSpec> hooks, KernelTable actual, Set<String> staleSets,
      WriteStrategy strategy) {
    // The very chains the kernel was last written from (a change of set members only): only
    // the hooks can need work.
    boolean chainsWritten = chains == actual.chains() && staleSets.isEmpty()
        && strategy == WriteStrategy.INCREMENTAL;
    WriteCounts.Tally tally = new WriteCounts.Tally();
    Predicate<RuleText> reusable = staleSets.isEmpty() ? rule -> true
        : rule -> Collections.disjoint(rule.matchSets(), staleSets);
    List<String> declarations = new ArrayList<>();
    List<String> bodies = new ArrayList<>();
    // Chains the kernel holds and the desired state does not, in order.
    List<String> unwanted = new ArrayList<>();
    if (!chainsWritten) {
      SortedJoin.walk(chains, actual.chains(), (name, want, have) -> {
        if (want == null) {
          unwanted.add(name);
        } else if (have == null || strategy == WriteStrategy.FULL_RESYNC) {
          declarations.add(":" + name + " - [0:0]");
          want.forEach(rule -> bodies.add("-A " + name + " " + rule.text()));
          tally.chainsCreated += have == null ? 1 : 0;
          tally.chainsRewritten += have == null ? 0 : 1;
          tally.rulesWritten += want.size();
        } else if (have != want || !staleSets.isEmpty()) {
          // The same list means the kernel was last written from it (the writer remembers what
          // it wrote; unchanged chains keep their parse): nothing to compare.
          addEdit(ChainEditor.edit(name, have, want, reusable), bodies, tally);
        }
      });
    }
    List<String> hookDeletions = new ArrayList<>();
    List<String> hookInsertions = new ArrayList<>();
    Map<String, List<HookSpec>> hooksByChain = hooks.stream()
        .collect(Collectors.groupingBy(HookSpec::builtinChain));
    ImmutableSet<String> builtins = ImmutableSortedSet.<String>naturalOrder()
        .addAll(hooksByChain.keySet()).addAll(actual.builtins().keySet()).build();
    for (String builtin : builtins) {
      HookPlanner.HookEdit edit = HookPlanner.plan(actual.builtin(builtin),
          hooksByChain.getOrDefault(builtin, List.of()));
      hookDeletions.addAll(edit.deletions());
      hookInsertions.addAll(edit.insertions());
      tally.hooksFixed += edit.fixed();
      tally.hooksRemoved += edit.removed();
    }
    List<String> obsolete = new ArrayList<>();
    List<Leftover> leftovers = new ArrayList<>();
    for (String name : unwanted) {
      ImmutableList<String> foreign = actual.foreignJumps().get(name);
      if (foreign == null) {
        obsolete.add(name);
        continue;
      }
      addEdit(ChainEditor.edit(name, actual.chains().get(name), returnOnly(name), reusable),
          bodies, tally);
      leftovers.add(new Leftover("IPv" + actual.family().number() + " chain " + name,
          "jumped to by foreign rule " + String.join(", ", foreign)));
    }
    List<String> commands = new ArrayList<>(declarations);
    commands.addAll(hookDeletions);
    commands.addAll(bodies);
    commands.addAll(hookInsertions);
    obsolete.forEach(name -> commands.add("-F " + name));
    obsolete.forEach(name -> commands.add("-X " + name));
    tally.chainsDeleted += obsolete.size();
    return new TablePlan(commands, tally.counts(), leftovers);
  }

  private static void addEdit(ChainEditor.Edit edit, List<String> bodies,
      WriteCounts.Tally tally) {
    if (!edit.isEmpty()) {
      bodies.addAll(edit.commands());
      tally.chainsRewritten++;
      tally.rulesWritten += edit.rulesWritten();
      tally.rulesDeleted += edit.rulesDeleted();
    }
  }

  /** What a chain held only by a foreign rule is reduced to. */
  private static List<RuleText> returnOnly(String chain) {
    return new Chain(chain, ImmutableList.of(Rule.of(new Action.Return()))).toSpec().rules()
        .stream().map(rule -> RuleText.desired(chain, rule)).toList();
  }
}
