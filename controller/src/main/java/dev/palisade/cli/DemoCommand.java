package dev.palisade.cli;

import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.demo.DemoBackend;
import dev.palisade.scenario.ScenarioParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code palisade demo}: scenarios on the real dataplane — network namespaces for nodes and
 * pods, the embedded API server, one real agent per node, real probes.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Runs scenarios on a real dataplane built on this machine: a network namespace per node "
            + "and pod, an embedded API server on loopback, one real agent per node, real TCP, "
            + "UDP and ICMP probes. Needs root. Nothing is routed to the machine's network, and "
            + "everything is removed at the end.",
        "Without --scenario, runs a tour: policies applied one after another on the x/y/z x "
            + "a/b/c cluster, with the live matrix after each step.",
        "Exit status: 0 all expectations match, 1 a mismatch, 2 unusable input or no root."})
final class DemoCommand implements Callable<Integer> {
  private static final String TOUR = "/dev/palisade/demo/tour.yaml";

  @Mixin
  private ManifestReading reading;

  @Spec
  private CommandSpec spec;

  @Option(names = "--scenario", arity = "1..*", paramLabel = "FILE",
      description = "Scenario files (SCENARIO.md); each runs on a fresh cluster.")
  private List<Path> scenarios;

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default) or json.")
  private OutputFormat output;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where the kubeconfig and agent logs go. Default: a new temporary folder.")
  private Path workDir;

  @Option(names = "--enforce-timeout", defaultValue = "60s", paramLabel = "DURATION",
      converter = DurationConverter.Positive.class,
      description = "Longest wait for a step to be enforced. Default: ${DEFAULT-VALUE}.")
  private Duration enforceTimeout;

  @Override
  public Integer call() throws IOException {
    if (workDir != null && Files.exists(workDir) && !Files.isDirectory(workDir)) {
      throw new ParameterException(spec.commandLine(), "--work-dir " + workDir
          + " is a file, not a folder");
    }
    try {
      NetnsCluster.requireRootAndTools();
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("palisade: demo: " + e.getMessage());
      return ExitCode.BAD_INPUT;
    }
    Path logs = workDir != null ? Files.createDirectories(workDir)
        : Files.createTempDirectory("palisade-demo-");
    DemoBackend.Settings settings = new DemoBackend.Settings(
        System.getProperty("java.class.path"),
        List.of("--deny-action=REJECT", "--min-sync-interval=100ms", "--max-sync-interval=1m"),
        logs, enforceTimeout, spec.commandLine().getErr());
    ScenarioParser parser = new ScenarioParser(reading.reader());
    List<ScenarioRuns.Source> sources = scenarios == null ? List.of(() -> tour(parser))
        : scenarios.stream()
            .map(file -> (ScenarioRuns.Source) () -> parser.parse(file)).toList();
    return new ScenarioRuns(spec.commandLine().getOut(), spec.commandLine().getErr(), output)
        .run(sources, new DemoBackend(settings));
  }

  private static dev.palisade.scenario.Scenario tour(ScenarioParser parser) {
    try (InputStream in = DemoCommand.class.getResourceAsStream(TOUR)) {
      if (in == null) {
        throw new IllegalStateException("the tour " + TOUR + " is missing from the jar");
      }
      return parser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
          "the built-in tour");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
