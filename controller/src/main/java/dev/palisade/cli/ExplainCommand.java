package dev.palisade.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import dev.palisade.k8s.FieldPath;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import dev.palisade.scenario.EndpointArgument;
import dev.palisade.scenario.MatrixEvaluator;
import dev.palisade.scenario.ProbePort;
import dev.palisade.scenario.ShownNamespaces;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code palisade explain}: why one connection is allowed or denied. */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {
        "Explains the verdict for one connection between two pods, or a pod and an address "
            + "outside the cluster: the source's egress and the destination's ingress, with the "
            + "policies and rules that decided each.",
        "Reads the manifests of -f, or else the live cluster of the kubeconfig. With "
            + "--enforced, asks the Palisade agents of the two pods' nodes what they enforce "
            + "now, through the API server's pod proxy (needs get on pods/proxy in the agents' "
            + "namespace), naming the chain and sets that decide on each node.",
        "Exit status: 0 explained, 2 unusable input (or an agent that cannot be asked)."})
final class ExplainCommand implements Callable<Integer> {
  @Mixin
  private ManifestReading reading;

  @Mixin
  private ClusterSource source;

  @Spec
  private CommandSpec spec;

  @Option(names = {"-f", "--filename"}, arity = "1..*", paramLabel = "PATH",
      description = "Manifest files or folders (*.yaml, *.yml, *.json, recursively).")
  private List<Path> manifests;

  @Option(names = "--from", required = true, paramLabel = "NS/POD|IP",
      description = "The source: a pod, or an address (e.g. 203.0.113.7).")
  private String from;

  @Option(names = "--to", required = true, paramLabel = "NS/POD|IP",
      description = "The destination: a pod, or an address (e.g. 8.8.8.8).")
  private String to;

  @Option(names = "--port", required = true, converter = PortConverter.class,
      paramLabel = "PORT", description = "e.g. 80/TCP, 53/UDP, serve-80-tcp, ICMP.")
  private ProbePort port;

  @Option(names = "--family", converter = FamilyConverter.class, defaultValue = "4",
      paramLabel = "4|6", description = "The address family (default ${DEFAULT-VALUE}, or that "
          + "of an address given).")
  private IpFamily family;

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default: the explanation as text), html (the matrix of the port as "
          + "a heat map and a graph, this connection highlighted) or dot (Graphviz); with "
          + "--enforced table or json (the agents' answers combined).")
  private OutputFormat output;

  @Option(names = "--enforced", description = "Ask the agents what they enforce now instead "
      + "of evaluating the policies here: the source's egress from the agent on its node, the "
      + "destination's ingress from the agent on its node, each with the chain and sets that "
      + "decide there. A live cluster only.")
  private boolean enforced;

  @Option(names = "--agent-namespace", paramLabel = "NAMESPACE", defaultValue = "palisade-system",
      description = "With --enforced: where Palisade's agents run. Default: ${DEFAULT-VALUE}.")
  private String agentNamespace;

  @Option(names = "--agent-port", paramLabel = "PORT", defaultValue = "9301",
      converter = IntRangeConverter.Port.class,
      description = "With --enforced: the agents' health port (the chart's agent.healthPort). "
          + "Default: ${DEFAULT-VALUE}.")
  private int agentPort;

  @Override
  public Integer call() {
    if (enforced) {
      output.requireOneOf(spec, OutputFormat.table, OutputFormat.json);
      if (manifests != null) {
        throw new ParameterException(spec.commandLine(), "--enforced asks the agents of a live "
            + "cluster what they enforce: -f does not apply");
      }
    } else {
      output.requireOneOf(spec, OutputFormat.table, OutputFormat.html, OutputFormat.dot);
    }
    EndpointArgument fromArgument = new EndpointArgument("--from", from);
    EndpointArgument toArgument = new EndpointArgument("--to", to);
    IpFamily connectionFamily = EndpointArgument.family(List.of(fromArgument, toArgument),
        family, spec.commandLine().getParseResult().hasMatchedOption("--family"));
    if (port.isNamed() && toArgument.address().isPresent()) {
      throw new InvalidInputException("--port", null, FieldPath.ROOT, "a port name resolves "
          + "against the destination pod's container ports; to an address give a number, "
          + "e.g. 53/UDP");
    }
    ClusterSource.View view = source.read(manifests, reading);
    view.loaded().warnOfFailClosedPolicies(spec.commandLine().getErr());
    RuleGraph graph = view.loaded().cluster().graph();
    Endpoint sourceEnd = fromArgument.resolve(graph, connectionFamily, view.shown());
    Endpoint destinationEnd = toArgument.resolve(graph, connectionFamily, view.shown());
    PrintWriter out = spec.commandLine().getOut();
    if (output.isPicture()) {
      out.print(output.render(picture(graph, sourceEnd, destinationEnd, connectionFamily,
          view.shown())));
      out.flush();
      return ExitCode.OK;
    }
    Optional<Traffic> traffic = port.trafficTo(destinationEnd);
    String resolvedPort = port.isNamed() && traffic.isPresent()
        ? " (port " + traffic.get().port() + ")" : "";
    String explanation;
    if (enforced) {
      ObjectNode answer;
      try (KubernetesClient client = source.client()) {
        answer = new EnforcedExplanation(client, agentNamespace, agentPort)
            .explain(sourceEnd, destinationEnd, port, connectionFamily);
      }
      if (output == OutputFormat.json) {
        out.println(answer.toPrettyString());
        out.flush();
        return ExitCode.OK;
      }
      explanation = EnforcedExplanation.text(answer, destinationEnd.toString());
    } else {
      explanation = ConnectionExplanation.of(new Evaluator(graph), sourceEnd, destinationEnd,
          port);
    }
    out.println(EndpointArgument.describe(sourceEnd) + " -> "
        + EndpointArgument.describe(destinationEnd) + " on " + port + resolvedPort + ": "
        + explanation);
    out.flush();
    return ExitCode.OK;
  }

  /**
   * The matrix of the port and family, with the connection asked about highlighted. The
   * pictures draw pods: an address outside the cluster has no cell there.
   */
  private Picture picture(RuleGraph graph, Endpoint sourceEnd, Endpoint destinationEnd,
      IpFamily connectionFamily, ShownNamespaces shown) {
    if (sourceEnd.endpointPod().isEmpty() || destinationEnd.endpointPod().isEmpty()) {
      throw new InvalidInputException("--output", null, FieldPath.ROOT, "the " + output
          + " picture shows pods; explain a connection with an address outside the cluster "
          + "as text (-o table)");
    }
    ObjectRef source = sourceEnd.endpointPod().get().ref();
    ObjectRef destination = destinationEnd.endpointPod().get().ref();
    Picture.Panel panel = Picture.Panel.explained("",
        MatrixEvaluator.observe(graph, port, connectionFamily, shown), graph, Optional.empty(),
        Optional.of(new Picture.Connection(source, destination)));
    return new Picture(source + " -> " + destination, ImmutableList.of(panel));
  }
}
