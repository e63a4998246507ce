package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import dev.palisade.model.IpFamily;

/**
 * The argv of every kernel command the writer runs: the iptables commands of the host's backend
 * ({@link IptablesBackend}). Restores get {@code --wait} whenever the installed iptables-restore
 * locks by itself; see {@link IptablesVersion} for the variants.
 */
public record KernelTools(IptablesBackend backend, boolean restoreWaitsForLock) {
  public static KernelTools forVersion(IptablesBackend backend, IptablesVersion version) {
    return new KernelTools(backend, version.restoreLocksItself());
  }

  public ImmutableList<String> save(IpFamily family) {
    return ImmutableList.of(backend.command(family, "-save"), "-t", "filter");
  }

  public ImmutableList<String> restore(IpFamily family) {
    ImmutableList.Builder<String> argv = ImmutableList.<String>builder()
        .add(backend.command(family, "-restore"), "--noflush");
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

  /** ipset's interactive mode, left running for {@link IpsetSession}; {@code -exist} as above. */
  public ImmutableList<String> ipsetInteractive() {
    return ImmutableList.of("ipset", "-exist", "-");
  }
}
