package dev.palisade.cli;

import dev.palisade.dataplane.backend.Outcome;
import dev.palisade.dataplane.ebpf.EbpfDataplane;
import dev.palisade.dataplane.kernel.ApplyResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code palisade cleanup}: removes every Palisade chain, jump and set, and every eBPF program,
 * link and map pin of the installation with its conntrack rule, and nothing else. What a
 * foreign object holds on to (a foreign rule jumping into a Palisade chain) stays; it is named
 * and the exit status is 1.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
    description = "Remove every PALISADE- chain (PAL<ID>- with --instance), the jumps to them "
        + "and every pal- (pal<id>-) ipset Palisade created from "
        + "this node (or --netns), the eBPF backend's programs, links and maps pinned under "
        + "--bpffs with its conntrack rule, and nothing else. What a foreign rule or set still "
        + "uses is named and left (exit status 1). Needs root or CAP_NET_ADMIN.")
final class CleanupCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  KernelOptions kernel;

  @Mixin
  InstallationOption instance;

  @Option(names = "--bpffs", defaultValue = "/sys/fs/bpf", paramLabel = "DIR",
      description = "Where the bpffs is mounted: the eBPF backend's pins are under "
          + "DIR/palisade/<instance>. Default: ${DEFAULT-VALUE}.")
  Path bpffs;

  @Override
  public Integer call() {
    ApplyResult result = kernel.writer(instance.installation).cleanup();
    if (result instanceof ApplyResult.Failed failed) {
      spec.commandLine().getErr().println("palisade: cleanup failed: " + failed.describe());
      return ExitCode.FAILED;
    }
    spec.commandLine().getOut().println("removed " + result.written().describe());
    Outcome ebpf = EbpfDataplane.cleanup(kernel.pinLayout(bpffs, instance.installation),
        kernel.runner(), instance.installation);
    if (ebpf.failure().isPresent()) {
      spec.commandLine().getErr().println("palisade: cleanup of the eBPF backend failed: "
          + ebpf.failure().get());
      return ExitCode.FAILED;
    }
    if (!ebpf.wroteNothing()) {
      spec.commandLine().getOut().println("removed (eBPF) " + ebpf.written());
    }
    if (!result.leftovers().isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("palisade: cleanup left what foreign objects hold on to; remove the holders "
          + "and run cleanup again:");
      result.leftovers().forEach(left -> err.println("  " + left.describe()));
      return ExitCode.FAILED;
    }
    return ExitCode.OK;
  }
}
