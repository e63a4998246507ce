package dev.palisade.cli;

import dev.palisade.dataplane.ebpf.PinLayout;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.kernel.NetnsCommandRunner;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import dev.palisade.dataplane.kernel.Sleeper;
import dev.palisade.dataplane.state.Installation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import jnr.posix.POSIXFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Where kernel commands go: this host's network namespace, or a named one (tests, demo). */
final class KernelOptions {
  /** The longest any kernel command may take before it is deemed stuck. */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  /** Where `ip netns add` pins named namespaces. */
  private static final Path NAMED_NAMESPACES = Path.of("/run/netns");

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(names = "--netns", paramLabel = "NAME",
      description = "Program the network namespace NAME (entered as "
          + "`nsenter --net=/run/netns/NAME`) instead of the host's. Default: the host's.")
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

  /** The chosen namespace's file (/run/netns/NAME), or empty for this process's own. */
  Optional<Path> netnsPath() {
    runner(); // refuses a namespace that does not exist
    return Optional.ofNullable(netns).map(NAMED_NAMESPACES::resolve);
  }

  /** Runs commands in this process's namespaces, whatever --netns says ({@code bpftool}). */
  CommandRunner hostRunner() {
    return new ProcessCommandRunner(COMMAND_TIMEOUT);
  }

  /**
   * Where an installation's eBPF objects are pinned: {@code <bpffs>/palisade/<instance>}, the
   * default installation's under {@code default}.
   */
  PinLayout pinLayout(Path bpffs, Installation installation) {
    return PinLayout.forInstance(bpffs, installation.id().isEmpty() ? "default"
        : installation.id());
  }

  /**
   * Runs commands in the chosen namespace (conntrack, for instance).
   *
   * @throws ParameterException when the named namespace does not exist: every command in it
   *     would fail, and only later, with a message about the command instead of the option
   */
  CommandRunner runner() {
    CommandRunner runner = new ProcessCommandRunner(COMMAND_TIMEOUT);
    if (netns == null) {
      return runner;
    }
    if (!Files.exists(NAMED_NAMESPACES.resolve(netns))) {
      throw new ParameterException(command.commandLine(), "--netns " + netns + ": no such "
          + "network namespace (" + NAMED_NAMESPACES.resolve(netns) + " does not exist; "
          + "`ip netns list` shows the named ones)");
    }
    return new NetnsCommandRunner(runner, netns);
  }
}
