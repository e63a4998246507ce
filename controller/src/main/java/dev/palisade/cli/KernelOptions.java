package dev.palisade.cli;

import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.IptablesVariant;
import dev.palisade.dataplane.kernel.KernelTools;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.kernel.NetnsCommandRunner;
import dev.palisade.dataplane.kernel.PrivilegeCheck;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import dev.palisade.dataplane.kernel.RetryPolicy;
import dev.palisade.dataplane.kernel.Sleeper;
import dev.palisade.dataplane.kernel.TableLock;
import dev.palisade.dataplane.kernel.XtablesLock;
import java.nio.file.Path;
import java.time.Duration;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import picocli.CommandLine.Option;

/** Where kernel commands go: this host's network namespace, or a named one (tests, demo). */
final class KernelOptions {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(30);

  @Option(names = "--netns", paramLabel = "NAME",
      description = "Program the network namespace NAME (as `ip netns exec NAME`) instead of "
          + "the host's. Default: the host's.")
  String netns;

  /**
   * A kernel writer for the chosen namespace, after checking the privileges it needs.
   *
   * @throws IllegalStateException without root/CAP_NET_ADMIN or without iptables
   */
  KernelWriter writer() {
    POSIX posix = POSIXFactory.getNativePOSIX();
    PrivilegeCheck.requireNetAdmin(posix, Path.of("/proc/self/status"));
    CommandRunner runner = new ProcessCommandRunner(COMMAND_TIMEOUT);
    if (netns != null) {
      runner = new NetnsCommandRunner(runner, netns);
    }
    IptablesVariant variant = IptablesVariant.detect(runner);
    // nf_tables iptables ignores the xtables lock and commits each restore atomically;
    // legacy iptables needs the lock held across our read-diff-write.
    TableLock lock = variant == IptablesVariant.LEGACY
        ? new XtablesLock(posix, XtablesLock.DEFAULT_PATH, LOCK_TIMEOUT, Sleeper.system())
        : TableLock.none();
    return new KernelWriter(runner, KernelTools.forVariant(variant), lock,
        RetryPolicy.standard(), Sleeper.system());
  }
}
