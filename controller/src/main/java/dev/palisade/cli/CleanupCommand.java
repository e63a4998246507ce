package dev.palisade.cli;

import dev.palisade.dataplane.kernel.ApplyResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code palisade cleanup}: removes every Palisade chain, jump and set, and nothing else. */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
    description = "Remove every PALISADE- chain, the jumps to them and every pal- ipset from "
        + "this node (or --netns), and nothing else. Needs root or CAP_NET_ADMIN.")
final class CleanupCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  KernelOptions kernel;

  @Override
  public Integer call() {
    ApplyResult result = kernel.writer().cleanup();
    if (result instanceof ApplyResult.Failed failed) {
      spec.commandLine().getErr().println("palisade: cleanup failed: " + failed.describe());
      return ExitCode.FAILED;
    }
    spec.commandLine().getOut().println("removed " + result.written().describe());
    return ExitCode.OK;
  }
}
