package dev.palisade.cli;

import dev.palisade.controller.ControllerCommand;
import dev.palisade.k8s.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code palisade} command line of the node's jar: the offline tools, the live-cluster tools,
 * the agent and the controller. The workstation's jar (module demo) adds {@code demo}.
 */
@Command(name = "palisade", mixinStandardHelpOptions = true,
    version = "palisade 0.1.0",
    description = "Kubernetes NetworkPolicy enforcement with iptables and ipsets; the offline "
        + "tools show what your NetworkPolicy YAML does before you apply it.",
    subcommands = {MatrixCommand.class, ExplainCommand.class, LintCommand.class,
        DiffCommand.class, AgentCommand.class, ControllerCommand.class, CleanupCommand.class,
        RenderCommand.class, LogsCommand.class, StatusCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a command, e.g. palisade matrix");
  }

  /**
   * The command line with Palisade's error handling: unusable input prints its message (no
   * stack trace) and exits 2; an internal error prints its stack trace and exits 70.
   */
  public static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
          if (exception instanceof InvalidInputException invalid) {
            commandLine.getErr().println("palisade: " + invalid.getMessage());
            return ExitCode.BAD_INPUT;
          }
          // A bug, not a verdict: keep it apart from 1 (mismatch) and show where it happened.
          commandLine.getErr().println("palisade: internal error, please report it:");
          exception.printStackTrace(commandLine.getErr());
          return ExitCode.INTERNAL_ERROR;
        });
  }

  public static void main(String[] args) {
    System.exit(execute(commandLine(), args));
  }

  /**
   * Runs {@code args} on this command line (built by {@link #commandLine}, perhaps with more
   * commands) with the defaults of a settings file; returns the exit status.
   */
  public static int execute(CommandLine commandLine, String[] args) {
    try {
      commandLine.setDefaultValueProvider(
          SettingsDefaults.from(java.util.List.of(args), System.getenv()));
    } catch (IllegalArgumentException e) {
      commandLine.getErr().println("palisade: " + e.getMessage());
      return ExitCode.BAD_INPUT;
    }
    return commandLine.execute(args);
  }
}
