package dev.palisade.cli;

import com.google.common.collect.ImmutableList;
import dev.palisade.k8s.FieldPath;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.scenario.EndpointArgument;
import dev.palisade.scenario.EndpointMatrix;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.MatrixEvaluator;
import dev.palisade.scenario.ProbePort;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioBackend;
import dev.palisade.scenario.ShownNamespaces;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code palisade matrix}: who can reach whom, from a scenario or from manifests. */
@Command(name = "matrix", mixinStandardHelpOptions = true,
    description = {
        "Prints pod-to-pod reachability computed by the reference evaluator.",
        "With --scenario, runs each scenario file (SCENARIO.md) on its own and compares the "
            + "observed truth tables with the expected ones.",
        "With -f, prints the matrix of the manifests for every port the pods declare; "
            + "without --scenario or -f, that of the live cluster of the kubeconfig.",
        "--from and --to choose the rows and columns, pods or addresses outside the cluster.",
        "Exit status: 0 all expectations match, 1 a mismatch, 2 unusable input."})
final class MatrixCommand implements Callable<Integer> {
  private static final Comparator<ProbePort> PORT_ORDER = Comparator
      .comparing(ProbePort::protocol).thenComparingInt(ProbePort::number);

  @Mixin
  private ManifestReading reading;

  @Mixin
  private ClusterSource source;

  @Spec
  private CommandSpec spec;

  @ArgGroup(exclusive = true)
  private Input input;

  @Option(names = "--port", converter = PortConverter.class, paramLabel = "PORT",
      description = "Not with --scenario: only this port, e.g. 80/TCP, 53/UDP, serve-80-tcp, "
          + "ICMP.")
  private ProbePort port;

  @Option(names = "--family", converter = FamilyConverter.class, defaultValue = "4",
      paramLabel = "4|6", description = "Not with --scenario: the address family (default "
          + "${DEFAULT-VALUE}, or that of an address given).")
  private IpFamily family;

  @Option(names = "--from", arity = "1..*", paramLabel = "NS/POD|IP",
      description = "Not with --scenario: these sources (rows) instead of every pod shown; an "
          + "address is outside the cluster unless a pod holds it, e.g. 203.0.113.7.")
  private List<String> from;

  @Option(names = "--to", arity = "1..*", paramLabel = "NS/POD|IP",
      description = "Not with --scenario: these destinations (columns) instead of every pod "
          + "shown, e.g. 8.8.8.8 --port 53/UDP.")
  private List<String> to;

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
    if (input != null && input.scenarios != null) {
      ParseResult parsed = spec.commandLine().getParseResult();
      if (Stream.of("--port", "--family", "--from", "--to", "--kubeconfig", "--context", "-n",
          "-A").anyMatch(parsed::hasMatchedOption)) {
        throw new ParameterException(spec.commandLine(), "--port, --family, --from, --to, "
            + "--kubeconfig, --context, -n and -A apply to a cluster; a scenario names its "
            + "objects and probes");
      }
      return runScenarios(input.scenarios);
    }
    List<EndpointArgument> ends = Stream.concat(
        arguments("--from", from).stream(), arguments("--to", to).stream()).toList();
    IpFamily connectionFamily = EndpointArgument.family(ends, family,
        spec.commandLine().getParseResult().hasMatchedOption("--family"));
    ClusterSource.View view = source.read(input == null ? null : input.manifests, reading);
    view.loaded().warnOfFailClosedPolicies(spec.commandLine().getErr());
    RuleGraph graph = view.loaded().cluster().graph();
    List<ProbePort> ports = port != null ? List.of(port)
        : declaredPorts(connectionFamily, view.shown(), graph);
    if (ports.isEmpty()) {
      throw new InvalidInputException(input == null ? "the cluster" : "-f", null, null,
          "the pods declare no container ports; choose one with --port, e.g. --port 80/TCP");
    }
    if (from == null && to == null) {
      TableRenderer renderer = new TableRenderer();
      return print(ports.stream().map(probe ->
          MatrixEvaluator.observe(graph, probe, connectionFamily, view.shown())).toList(),
          new JsonRenderer()::matrices, matrices -> picture(matrices, graph), renderer::matrix);
    }
    if (ports.stream().anyMatch(ProbePort::isNamed)
        && arguments("--to", to).stream().anyMatch(end -> end.address().isPresent())) {
      throw new InvalidInputException("--port", null, FieldPath.ROOT, "a port name resolves "
          + "against a destination pod's container ports; to an address give a number, "
          + "e.g. 53/UDP");
    }
    List<Endpoint> pods = MatrixEvaluator.endpoints(graph, connectionFamily, view.shown())
        .stream().map(pod -> Endpoint.of(pod, connectionFamily)).toList();
    List<Endpoint> sources = from == null ? pods
        : resolve(arguments("--from", from), graph, connectionFamily, view.shown());
    List<Endpoint> destinations = to == null ? pods
        : resolve(arguments("--to", to), graph, connectionFamily, view.shown());
    TableRenderer renderer = new TableRenderer();
    return print(ports.stream().map(probe -> MatrixEvaluator.observe(graph, probe,
        connectionFamily, sources, destinations)).toList(),
        new JsonRenderer()::endpointMatrices, this::noPicture, renderer::matrix);
  }

  private static List<EndpointArgument> arguments(String option, List<String> texts) {
    return texts == null ? List.of()
        : texts.stream().map(text -> new EndpointArgument(option, text)).toList();
  }

  private static List<Endpoint> resolve(List<EndpointArgument> arguments, RuleGraph graph,
      IpFamily family, ShownNamespaces shown) {
    return arguments.stream().map(end -> end.resolve(graph, family, shown)).distinct().toList();
  }

  private int runScenarios(List<Path> files) {
    ScenarioParser parser = new ScenarioParser(reading.reader());
    List<ScenarioRuns.Source> sources = files.stream()
        .map(file -> (ScenarioRuns.Source) () -> parser.parse(file)).toList();
    return new ScenarioRuns(spec.commandLine().getOut(), spec.commandLine().getErr(), output)
        .run(sources, ScenarioBackend.EVALUATOR);
  }

  /** All matrices as one JSON document or one picture, or each as a table. */
  private <M> int print(List<M> matrices, Function<List<M>, String> json,
      Function<List<M>, Picture> picture, Function<M, String> table) {
    PrintWriter out = spec.commandLine().getOut();
    if (output == OutputFormat.json) {
      out.print(json.apply(matrices));
    } else if (output.isPicture()) {
      out.print(output.render(picture.apply(matrices)));
    } else {
      matrices.forEach(matrix -> out.print(table.apply(matrix)));
    }
    out.flush();
    return ExitCode.OK;
  }

  /** The pod matrices as one page or graph, each cell with explain's reasons. */
  private Picture picture(List<Matrix> matrices, RuleGraph graph) {
    String title = "Matrix of " + (input == null ? "the cluster"
        : input.manifests.stream().map(Path::toString).collect(Collectors.joining(" ")));
    return new Picture(title, matrices.stream()
        .map(matrix -> Picture.Panel.explained("", matrix, graph, Optional.empty(),
            Optional.empty()))
        .collect(ImmutableList.toImmutableList()));
  }

  /** The pictures draw pods: rows or columns of addresses have no place there. */
  private Picture noPicture(List<EndpointMatrix> matrices) {
    throw new InvalidInputException("--output", null, FieldPath.ROOT, "the " + output
        + " picture shows pods; a matrix with --from or --to is printed as table or json");
  }

  /** Every port number and protocol that some endpoint pod shown serves in the family. */
  static List<ProbePort> declaredPorts(IpFamily family, ShownNamespaces shown,
      RuleGraph... graphs) {
    return Stream.of(graphs)
        .flatMap(graph -> MatrixEvaluator.endpoints(graph, family, shown).stream())
        .map(Pod::ports).flatMap(List::stream)
        .map((ContainerPort declared) -> ProbePort.number(declared.protocol(), declared.port()))
        .distinct()
        .sorted(PORT_ORDER)
        .toList();
  }
}
