package dev.palisade.cli;

import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.kernel.NetnsCommandRunner;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import dev.palisade.dataplane.kernel.Sleeper;
import dev.palisade.dataplane.state.Installation;
import java.time.Duration;
import jnr.posix.POSIXFactory;
import picocli.CommandLine.Option;

/** Where kernel commands go: this host's network namespace, or a named one (tests, demo). */
final class KernelOptions {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  @Option(names = "--netns", paramLabel = "NAME",
      description = "Program the network namespace NAME (as `ip netns exec NAME`) instead of "
          + "the host's. Default: the host's.")
  String netns;

  /**
   * A kernel writer for the chosen namespace and installation, after checking the privileges it
   * needs.
   *
   * @throws IllegalStateException without root/CAP_NET_ADMIN or without iptables
   */
  KernelWriter writer(Installation owner) {
    return KernelWriter.forMachine(runner(), POSIXFactory.getNativePOSIX(), Sleeper.system(),
        owner);
  }

  /** Runs commands in the chosen namespace (conntrack, for instance). */
  CommandRunner runner() {
    CommandRunner runner = new ProcessCommandRunner(COMMAND_TIMEOUT);
    return netns == null ? runner : new NetnsCommandRunner(runner, netns);
  }
}
