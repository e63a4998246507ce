package dev.palisade.cli;

import dev.palisade.dataplane.kernel.ApplyResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code palisade cleanup}: removes every Palisade chain, jump and set, and nothing else. What a
 * foreign object holds on to (a foreign rule jumping into a Palisade chain) stays; it is named
 * and the exit status is 1.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
    description = "Remove every PALISADE- chain (PAL<ID>- with --instance), the jumps to them "
        + "and every pal- (pal<id>-) ipset Palisade created from "
        + "this node (or --netns), and nothing else. What a foreign rule or set still uses is "
        + "named and left (exit status 1). Needs root or CAP_NET_ADMIN.")
final class CleanupCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  KernelOptions kernel;

  @Mixin
  InstallationOption instance;

  @Override
  public Integer call() {
    ApplyResult result = kernel.writer(instance.installation).cleanup();
    if (result instanceof ApplyResult.Failed failed) {
      spec.commandLine().getErr().println("palisade: cleanup failed: " + failed.describe());
      return ExitCode.FAILED;
    }
    spec.commandLine().getOut().println("removed " + result.written().describe());
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
