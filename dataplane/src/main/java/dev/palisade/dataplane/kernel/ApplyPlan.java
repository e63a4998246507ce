package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.palisade.model.IpFamily;
import java.util.List;

/**
 * The commands one apply runs, in order, each with the counts it writes: set updates, one
 * restore per family, then destruction of unused sets. Empty steps are left out, so the plan of
 * a converged kernel is empty.
 *
 * @param leftovers what the plan leaves in place because a foreign object holds it
 */
record ApplyPlan(ImmutableList<Step> steps, ImmutableList<Leftover> leftovers) {

  record Step(ApplyStep step, ImmutableList<String> argv, String payload, WriteCounts counts) {}

  boolean isEmpty() {
    return steps.isEmpty();
  }

  static ApplyPlan of(DesiredTables desired, KernelSnapshot kernel, KernelTools tools) {
    SetPlanner.SetPlan sets = SetPlanner.plan(desired.sets(), kernel.sets());
    ImmutableList.Builder<Step> steps = ImmutableList.builder();
    if (!sets.updateBatch().isEmpty()) {
      steps.add(new Step(ApplyStep.UPDATE_SETS, tools.ipsetRestore(),
          batch(sets.updateBatch()), sets.updateCounts()));
    }
    ImmutableSet<String> stale = sets.staleNames();
    ImmutableList.Builder<Leftover> leftovers = ImmutableList.builder();
    for (IpFamily family : IpFamily.values()) {
      TablePlanner.TablePlan table = TablePlanner.plan(desired.chains().get(family),
          desired.hooks().get(family), kernel.table(family), stale);
      leftovers.addAll(table.leftovers());
      if (!table.commands().isEmpty()) {
        steps.add(new Step(family == IpFamily.V4 ? ApplyStep.RESTORE_IPV4 : ApplyStep.RESTORE_IPV6,
            tools.restore(family), table.payload(), table.counts()));
      }
    }
    if (!sets.destroyBatch().isEmpty()) {
      steps.add(new Step(ApplyStep.DESTROY_UNUSED_SETS, tools.ipsetRestore(),
          batch(sets.destroyBatch()), sets.destroyCounts()));
    }
    return new ApplyPlan(steps.build(), leftovers.build());
  }

  private static String batch(List<String> lines) {
    return String.join("\n", lines) + "\n";
  }
}
