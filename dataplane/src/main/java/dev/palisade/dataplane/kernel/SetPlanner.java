package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.Names;
import dev.palisade.model.IpFamily;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Plans the ipset side of an apply: one {@code ipset restore} batch that runs before iptables
 * (creates and member deltas) and the sets to destroy after it (those the desired state no
 * longer names, once the iptables step has removed every reference to them). Only sets with
 * Palisade's ownership marker are destroyed ({@link KernelSet}), plus sets being replaced.
 *
 * <p>A set whose type or family differs, which is too small or lacks the marker cannot be
 * updated in place; {@link SetReplacement} resolves those before this planner sees them.
 */
final class SetPlanner {
  private SetPlanner() {}

  /** @param destroy sets to destroy after iptables; rules naming them are stale */
  record SetPlan(List<String> updateBatch, WriteCounts updateCounts,
      ImmutableSortedSet<String> destroy) {}

  /**
   * @param desired every desired set, members already canonical
   * @param replaced sets being replaced: destroyed when unwanted even without the marker
   * @param strategy {@link WriteStrategy#FULL_RESYNC} flushes and refills every existing set
   */
  static SetPlan plan(ImmutableSortedMap<String, IpSetSpec> desired,
      ImmutableSortedMap<String, KernelSet> actual, Set<String> replaced,
      WriteStrategy strategy) {
    List<String> update = new ArrayList<>();
    WriteCounts.Tally updateTally = new WriteCounts.Tally();
    ImmutableSortedSet.Builder<String> destroy = ImmutableSortedSet.naturalOrder();
    SortedJoin.walk(desired, actual, (name, want, have) -> {
      if (want == null) {
        if (have.markedAsPalisades() || replaced.contains(name)) {
          destroy.add(name);
        }
      } else if (have == null) {
        update.add("create " + want.name() + " " + want.type().kernelName() + " family "
            + (want.family() == IpFamily.V4 ? "inet" : "inet6") + " maxelem "
            + want.maxElements() + " " + Names.SET_OWNERSHIP_MARKER);
        addAll(update, want.name(), want.members());
        updateTally.setsCreated++;
        updateTally.membersAdded += want.members().size();
      } else if (SetReplacement.needsReplacement(have, want)) {
        throw new IllegalStateException("set " + want.name() + " is " + have.type() + "/"
            + have.family() + "/maxelem " + have.maxElements() + " in the kernel but wanted as "
            + want.type().kernelName() + "/" + want.family() + "/maxelem " + want.maxElements()
            + "; it must be replaced before planning");
      } else if (strategy == WriteStrategy.FULL_RESYNC) {
        update.add("flush " + want.name());
        addAll(update, want.name(), want.members());
        updateTally.membersRemoved += have.members().size();
        updateTally.membersAdded += want.members().size();
      } else if (have.members() != want.members()) {
        // The same object means the kernel was last written from this very set (the writer
        // remembers what it wrote, and the compiler reuses unchanged sets): nothing to compare.
        SortedDifference changed = SortedDifference.of(have.members(), want.members());
        // Deletes first: flipping an except entry (x vs "x nomatch") is a del then an add.
        changed.onlyBefore().forEach(m -> update.add("del " + want.name() + " "
            + SetMembers.key(m)));
        addAll(update, want.name(), changed.onlyAfter());
        updateTally.membersRemoved += changed.onlyBefore().size();
        updateTally.membersAdded += changed.onlyAfter().size();
      }
    });
    return new SetPlan(update, updateTally.counts(), destroy.build());
  }

  private static void addAll(List<String> batch, String name, Collection<String> members) {
    members.forEach(m -> batch.add("add " + name + " " + m));
  }
}
