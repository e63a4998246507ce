package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import dev.palisade.model.IpFamily;

/**
 * The argv of every kernel command the writer runs.
 *
 * <p>{@code --wait} on restore: the nf_tables variant of iptables (1.8.x, what this project
 * targets) ignores {@code /run/xtables.lock} and commits each restore as one atomic netlink
 * transaction, so {@code --wait} is all the locking it needs. Legacy iptables honours the lock:
 * there the writer holds it itself for the whole read-diff-write ({@link XtablesLock}) and the
 * restore must then run without {@code --wait}, or it would wait for the lock its parent holds.
 */
public record KernelTools(boolean restoreWaitsForLock) {
  public static KernelTools forVariant(IptablesVariant variant) {
    return new KernelTools(variant == IptablesVariant.NFTABLES);
  }

  public ImmutableList<String> save(IpFamily family) {
    return ImmutableList.of(prefix(family) + "-save", "-t", "filter");
  }

  public ImmutableList<String> restore(IpFamily family) {
    ImmutableList.Builder<String> argv = ImmutableList.<String>builder()
        .add(prefix(family) + "-restore", "--noflush");
    if (restoreWaitsForLock) {
      argv.add("--wait");
    }
    return argv.build();
  }

  public ImmutableList<String> ipsetSave() {
    return ImmutableList.of("ipset", "save");
  }

  /** {@code -exist} makes a retried batch idempotent: re-adding or re-creating is no error. */
  public ImmutableList<String> ipsetRestore() {
    return ImmutableList.of("ipset", "restore", "-exist");
  }

  private static String prefix(IpFamily family) {
    return family == IpFamily.V4 ? "iptables" : "ip6tables";
  }
}
