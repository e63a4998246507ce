package dev.palisade.demo;

import dev.palisade.cli.Main;
import picocli.CommandLine;

/**
 * The workstation's {@code palisade}: every command of the node's jar plus {@code demo}, which
 * needs the embedded API server and the network-namespace lab that a node never runs.
 */
public final class WorkstationMain {
  private WorkstationMain() {}

  /** The node's command line with {@code demo} added. */
  public static CommandLine commandLine() {
    return Main.commandLine().addSubcommand(new DemoCommand());
  }

  public static void main(String[] args) {
    System.exit(Main.execute(commandLine(), args));
  }
}
