package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.IpFamily;

/** Everything Palisade owns in one network namespace: both filter tables and its ipsets. */
public record KernelSnapshot(KernelTable v4, KernelTable v6,
    ImmutableSortedMap<String, KernelSet> sets) {

  public KernelTable table(IpFamily family) {
    return family == IpFamily.V4 ? v4 : v6;
  }

  /** True when the namespace holds no Palisade chain, jump or set. */
  public boolean isClean() {
    return sets.isEmpty() && ownsNothing(v4) && ownsNothing(v6);
  }

  private static boolean ownsNothing(KernelTable table) {
    return table.chains().isEmpty()
        && table.builtins().values().stream().allMatch(b -> b.hooks().isEmpty());
  }
}
