package dev.palisade.cli;

import com.google.common.collect.ImmutableList;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.MatrixEvaluator;
import dev.palisade.scenario.ProbePort;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioBackend;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code palisade matrix}: who can reach whom, from a scenario or from manifests. */
@Command(name = "matrix", mixinStandardHelpOptions = true,
    description = {
        "Prints pod-to-pod reachability computed by the reference evaluator.",
        "With --scenario, runs each scenario file (SCENARIO.md) on its own and compares the "
            + "observed truth tables with the expected ones.",
        "With -f, prints the matrix of the manifests for every port the pods declare.",
        "Exit status: 0 all expectations match, 1 a mismatch, 2 unusable input."})
final class MatrixCommand implements Callable<Integer> {
  private static final Comparator<ProbePort> PORT_ORDER = Comparator
      .comparing(ProbePort::protocol).thenComparingInt(ProbePort::number);

  @Mixin
  private ManifestReading reading;

  @Spec
  private CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  private Input input;

  @Option(names = "--port", converter = PortConverter.class, paramLabel = "PORT",
      description = "With -f: only this port, e.g. 80/TCP, 53/UDP, serve-80-tcp, ICMP.")
  private ProbePort port;

  @Option(names = "--family", converter = FamilyConverter.class, defaultValue = "4",
      paramLabel = "4|6", description = "With -f: the address family (default ${DEFAULT-VALUE}).")
  private IpFamily family;

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default), json, html (a page with a heat map and a graph) or dot "
          + "(Graphviz).")
  private OutputFormat output;

  static final class Input {
    @Option(names = "--scenario", arity = "1..*", paramLabel = "FILE", required = true,
        description = "Scenario files; each runs on its own.")
    private List<Path> scenarios;

    @Option(names = {"-f", "--filename"}, arity = "1..*", paramLabel = "PATH", required = true,
        description = "Manifest files or folders (*.yaml, *.yml, *.json, recursively).")
    private List<Path> manifests;
  }

  @Override
  public Integer call() {
    if (input.scenarios != null) {
      if (port != null || spec.commandLine().getParseResult().hasMatchedOption("--family")) {
        throw new ParameterException(spec.commandLine(),
            "--port and --family apply to -f; a scenario names its probes");
      }
      return runScenarios(input.scenarios);
    }
    return printMatrices(ManifestCluster.load(input.manifests, reading)
        .warnOfFailClosedPolicies(spec.commandLine().getErr()).cluster().graph());
  }

  private int runScenarios(List<Path> files) {
    ScenarioParser parser = new ScenarioParser(reading.reader());
    List<ScenarioRuns.Source> sources = files.stream()
        .map(file -> (ScenarioRuns.Source) () -> parser.parse(file)).toList();
    return new ScenarioRuns(spec.commandLine().getOut(), spec.commandLine().getErr(), output)
        .run(sources, ScenarioBackend.EVALUATOR);
  }

  private int printMatrices(RuleGraph graph) {
    List<ProbePort> ports = port != null ? List.of(port) : declaredPorts(graph);
    if (ports.isEmpty()) {
      throw new InvalidInputException("-f", null, null, "the pods declare no container "
          + "ports; choose one with --port, e.g. --port 80/TCP");
    }
    List<Matrix> matrices = ports.stream()
        .map(probe -> MatrixEvaluator.observe(graph, probe, family)).toList();
    PrintWriter out = spec.commandLine().getOut();
    if (output == OutputFormat.json) {
      out.print(new JsonRenderer().matrices(matrices));
    } else if (output.isPicture()) {
      String title = "Matrix of " + input.manifests.stream().map(Path::toString)
          .collect(Collectors.joining(" "));
      out.print(output.render(new Picture(title, matrices.stream()
          .map(matrix -> Picture.Panel.explained("", matrix, graph, Optional.empty(),
              Optional.empty()))
          .collect(ImmutableList.toImmutableList()))));
    } else {
      TableRenderer renderer = new TableRenderer();
      matrices.forEach(matrix -> out.print(renderer.matrix(matrix)));
    }
    out.flush();
    return ExitCode.OK;
  }

  /** Every port number and protocol that some endpoint pod of the family serves. */
  private List<ProbePort> declaredPorts(RuleGraph graph) {
    return MatrixEvaluator.endpoints(graph, family).stream()
        .map(Pod::ports).flatMap(List::stream)
        .map((ContainerPort declared) -> ProbePort.number(declared.protocol(), declared.port()))
        .distinct()
        .sorted(PORT_ORDER)
        .toList();
  }
}
