package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Sets;
import com.google.common.hash.Hashing;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.Names;
import dev.palisade.model.IpFamily;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Plans the ipset side of an apply: one {@code ipset restore} batch that runs before iptables
 * (creates, member deltas, replacements) and one that runs after it (destroying sets no desired
 * state names).
 *
 * <p>A set whose type or family changed cannot be {@code swap}ped: the kernel refuses to swap
 * sets of different type or family ("The sets cannot be swapped: their type does not match",
 * checked on this kernel). So the new set is filled under a temporary name, the old one is
 * renamed aside and the temporary one takes the name. Rules keep pointing at the old set object
 * (iptables references sets by index, not by name) until the iptables step rewrites every rule
 * that names the set; the retired set is destroyed after that, once nothing uses it.
 */
final class SetPlanner {
  private SetPlanner() {}

  record SetPlan(List<String> updateBatch, WriteCounts updateCounts, List<String> destroyBatch,
      WriteCounts destroyCounts, ImmutableSet<String> staleNames) {}

  /** @param desired every desired set, members already canonical */
  static SetPlan plan(ImmutableSortedMap<String, IpSetSpec> desired,
      ImmutableSortedMap<String, KernelSet> actual) {
    List<String> update = new ArrayList<>();
    List<String> destroy = new ArrayList<>();
    WriteCounts.Tally updateTally = new WriteCounts.Tally();
    WriteCounts.Tally destroyTally = new WriteCounts.Tally();
    ImmutableSet.Builder<String> replaced = ImmutableSet.builder();
    Set<String> leftoverTemps = new HashSet<>();
    for (IpSetSpec want : desired.values()) {
      KernelSet have = actual.get(want.name());
      if (have == null) {
        update.add(create(want.name(), want));
        addAll(update, want.name(), want.members());
        updateTally.setsCreated++;
        updateTally.membersAdded += want.members().size();
      } else if (!have.type().equals(want.type().kernelName()) || have.family() != want.family()) {
        String temp = temporaryName("tmp", want.name());
        String retired = temporaryName("old", want.name());
        if (actual.containsKey(temp)) {
          // left by an apply that failed half-way: never referenced by a rule, safe to drop
          update.add("destroy " + temp);
          leftoverTemps.add(temp);
        }
        update.add(create(temp, want));
        addAll(update, temp, want.members());
        update.add("rename " + want.name() + " " + retired);
        update.add("rename " + temp + " " + want.name());
        destroy.add("destroy " + retired);
        replaced.add(want.name());
        updateTally.setsReplaced++;
        updateTally.membersAdded += want.members().size();
      } else {
        Set<String> removed = Sets.difference(have.members(), want.members());
        Set<String> added = Sets.difference(want.members(), have.members());
        // Deletes first: flipping an except entry (x vs "x nomatch") is a del then an add.
        removed.forEach(m -> update.add("del " + want.name() + " " + SetMembers.key(m)));
        addAll(update, want.name(), added);
        updateTally.membersRemoved += removed.size();
        updateTally.membersAdded += added.size();
      }
    }
    Set<String> unused = Sets.difference(
        Sets.difference(actual.keySet(), desired.keySet()), leftoverTemps);
    for (String name : unused) {
      destroy.add("destroy " + name);
      destroyTally.setsDestroyed++;
    }
    return new SetPlan(update, updateTally.counts(), destroy, destroyTally.counts(),
        ImmutableSet.<String>builder().addAll(unused).addAll(replaced.build()).build());
  }

  /** A stable, prefixed name within ipset's 31 characters, derived from the set's own name. */
  static String temporaryName(String role, String name) {
    String hash = Hashing.sha256().hashString(name, StandardCharsets.UTF_8).toString();
    return Names.SET_PREFIX + role + "-" + hash.substring(0, 16);
  }

  private static String create(String name, IpSetSpec spec) {
    return "create " + name + " " + spec.type().kernelName() + " family "
        + (spec.family() == IpFamily.V4 ? "inet" : "inet6");
  }

  private static void addAll(List<String> batch, String name, Set<String> members) {
    members.forEach(m -> batch.add("add " + name + " " + m));
  }
}
