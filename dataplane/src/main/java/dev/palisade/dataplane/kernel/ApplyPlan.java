package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.model.IpFamily;
import java.util.List;
import java.util.Set;

/**
 * The commands one apply runs, in order, each with the counts it writes: set updates, one
 * restore per family; then the unused sets to destroy. Empty steps are left out, so the plan of
 * a converged kernel is empty. Destruction is not a step like the others: a set a foreign rule
 * still uses cannot be destroyed, and that must not undo or block the rest ({@link KernelWriter}).
 *
 * @param setsToDestroy sets to destroy after the restores
 * @param leftovers what the plan leaves in place because a foreign object holds it
 */
record ApplyPlan(ImmutableList<Step> steps, ImmutableSortedSet<String> setsToDestroy,
    ImmutableList<Leftover> leftovers) {

  record Step(ApplyStep step, ImmutableList<String> argv, String payload, WriteCounts counts) {}

  /** @param replaced sets being replaced, destroyed even without Palisade's marker */
  static ApplyPlan of(DesiredTables desired, KernelSnapshot kernel, KernelTools tools,
      Set<String> replaced, WriteStrategy strategy) {
    SetPlanner.SetPlan sets = SetPlanner.plan(desired.sets(), kernel.sets(), replaced, strategy);
    ImmutableList.Builder<Step> steps = ImmutableList.builder();
    if (!sets.updateBatch().isEmpty()) {
      steps.add(new Step(ApplyStep.UPDATE_SETS, tools.ipsetRestore(),
          batch(sets.updateBatch()), sets.updateCounts()));
    }
    ImmutableSortedSet<String> stale = sets.destroy();
    ImmutableList.Builder<Leftover> leftovers = ImmutableList.builder();
    for (IpFamily family : IpFamily.values()) {
      TablePlanner.TablePlan table = TablePlanner.plan(desired.chains().get(family),
          desired.hooks().get(family), kernel.table(family), stale, strategy);
      leftovers.addAll(table.leftovers());
      if (!table.commands().isEmpty()) {
        steps.add(new Step(family == IpFamily.V4 ? ApplyStep.RESTORE_IPV4 : ApplyStep.RESTORE_IPV6,
            tools.restore(family), table.payload(), table.counts()));
      }
    }
    return new ApplyPlan(steps.build(), stale, leftovers.build());
  }

  /** Whether the plan moves, inserts or removes a jump in one of the family's built-in chains. */
  boolean editsHooks(IpFamily family) {
    ApplyStep restore = family == IpFamily.V4 ? ApplyStep.RESTORE_IPV4 : ApplyStep.RESTORE_IPV6;
    return steps.stream().anyMatch(step -> step.step() == restore
        && step.counts().hooksFixed() + step.counts().hooksRemoved() > 0);
  }

  private static String batch(List<String> lines) {
    return String.join("\n", lines) + "\n";
  }
}
