package dev.palisade.dataplane.kernel;

import dev.palisade.dataplane.state.HookSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Keeps Palisade's jumps in one built-in chain where they belong. The chain the kernel should
 * end up with is worked out from its foreign rules (only counted) with the desired jumps
 * inserted at their positions (clamped to the chain's end); if the kernel already has exactly
 * that, nothing is written. Otherwise every Palisade jump in the chain is deleted and the
 * desired ones inserted, in the one atomic restore transaction, so the chain is never without
 * its jump as seen by a packet.
 *
 * <p>Jumps are deleted by their rule text, not by index: built-in chains are shared with other
 * writers (kube-proxy), and nf_tables' iptables-restore replays a transaction against the newer
 * ruleset when another writer committed in between, where an index read earlier could name a
 * foreign rule. A rule text carrying our jump (and our hash) can only delete ours.
 */
final class HookPlanner {
  /** Marks another installation's jump while comparing layouts; never a rule hash. */
  private static final String OTHER_INSTALLATION = "<other installation>";

  private HookPlanner() {}

  record HookEdit(List<String> deletions, List<String> insertions, int fixed, int removed) {}

  static HookEdit plan(KernelTable.BuiltinChain actual, List<HookSpec> desired) {
    List<HookSpec> wanted = desired.stream()
        .sorted(Comparator.comparingInt(HookSpec::position)).toList();
    // Another installation's jumps are looked through: both want the top of the chain, and
    // counting them would make each push the other down on every sync.
    int foreign = actual.size() - actual.hooks().size()
        - actual.otherInstallationsHooks().size();
    List<String> target = new ArrayList<>();
    for (int k = 0; k < foreign; k++) {
      target.add(null);
    }
    List<Integer> insertAt = new ArrayList<>();
    for (HookSpec hook : wanted) {
      int position = Math.min(hook.position(), target.size() + 1);
      insertAt.add(position);
      target.add(position - 1, RuleText.parse(hook.rule()).hash().orElseThrow());
    }
    List<String> current = new ArrayList<>();
    for (int k = 0; k < actual.size(); k++) {
      current.add(null);
    }
    for (KernelTable.PositionedRule hook : actual.hooks()) {
      // a Palisade jump without our hash never equals a wanted one, so it gets replaced
      current.set(hook.position() - 1, hook.rule().hash().orElse("?"));
    }
    for (int position : actual.otherInstallationsHooks()) {
      current.set(position - 1, OTHER_INSTALLATION);
    }
    current.removeIf(OTHER_INSTALLATION::equals);
    if (sameLayout(current, target)) {
      return new HookEdit(List.of(), List.of(), 0, 0);
    }
    List<String> deletions = new ArrayList<>();
    for (KernelTable.PositionedRule hook : actual.hooks()) {
      deletions.add("-D " + actual.name() + " " + hook.rule().text());
    }
    List<String> insertions = new ArrayList<>();
    for (int k = 0; k < wanted.size(); k++) {
      insertions.add("-I " + actual.name() + " " + insertAt.get(k) + " " + wanted.get(k).rule());
    }
    return new HookEdit(deletions, insertions, wanted.size(), actual.hooks().size());
  }

  private static boolean sameLayout(List<String> current, List<String> target) {
    if (current.size() != target.size()) {
      return false;
    }
    for (int k = 0; k < current.size(); k++) {
      if (!Objects.equals(current.get(k), target.get(k))) {
        return false;
      }
    }
    return true;
  }
}
