package dev.palisade.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ControllerCommandTest {

  @Test
  void defaults() {
    ControllerCommand command = parse();

    String podNamespace = System.getenv("POD_NAMESPACE");
    assertThat(command.leaseNamespace)
        .isEqualTo(podNamespace == null || podNamespace.isEmpty() ? "default" : podNamespace);
    assertThat(command.leaseName).isEqualTo("palisade-controller");
    assertThat(command.healthPort).isEqualTo(9302);
    assertThat(command.cluster.kubeconfig).isNull();
  }

  @Test
  void options() {
    ControllerCommand command = parse("--lease-namespace", "palisade-system",
        "--lease-name", "lint-leader", "--health-port", "9400", "--kubeconfig", "/tmp/kc");

    assertThat(command.leaseNamespace).isEqualTo("palisade-system");
    assertThat(command.leaseName).isEqualTo("lint-leader");
    assertThat(command.healthPort).isEqualTo(9400);
    assertThat(command.cluster.kubeconfig).isEqualTo(new File("/tmp/kc"));
  }

  @Test
  void aBadPortIsAUsageError() {
    int status = new CommandLine(new ControllerCommand())
        .setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()))
        .execute("--health-port", "ninety");

    assertThat(status).isEqualTo(CommandLine.ExitCode.USAGE);
  }

  private static ControllerCommand parse(String... args) {
    ControllerCommand command = new ControllerCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }
}
