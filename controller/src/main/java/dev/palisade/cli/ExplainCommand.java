package dev.palisade.cli;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;
import dev.palisade.k8s.FieldPath;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import dev.palisade.scenario.MatrixEvaluator;
import dev.palisade.scenario.ProbePort;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code palisade explain}: why one connection is allowed or denied. */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {
        "Explains the verdict for one connection between two pods of the manifests: the "
            + "source's egress and the destination's ingress, with the policies and rules that "
            + "decided each.",
        "Exit status: 0 explained, 2 unusable input."})
final class ExplainCommand implements Callable<Integer> {
  @Mixin
  private ManifestReading reading;

  @Spec
  private CommandSpec spec;

  @Option(names = {"-f", "--filename"}, arity = "1..*", paramLabel = "PATH", required = true,
      description = "Manifest files or folders (*.yaml, *.yml, *.json, recursively).")
  private List<Path> manifests;

  @Option(names = "--from", required = true, paramLabel = "NS/POD",
      description = "The source pod.")
  private String from;

  @Option(names = "--to", required = true, paramLabel = "NS/POD",
      description = "The destination pod.")
  private String to;

  @Option(names = "--port", required = true, converter = PortConverter.class,
      paramLabel = "PORT", description = "e.g. 80/TCP, 53/UDP, serve-80-tcp, ICMP.")
  private ProbePort port;

  @Option(names = "--family", converter = FamilyConverter.class, defaultValue = "4",
      paramLabel = "4|6", description = "The address family (default ${DEFAULT-VALUE}).")
  private IpFamily family;

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default: the explanation as text), html (the matrix of the port as "
          + "a heat map and a graph, this connection highlighted) or dot (Graphviz).")
  private OutputFormat output;

  @Override
  public Integer call() {
    output.requireOneOf(spec, OutputFormat.table, OutputFormat.html, OutputFormat.dot);
    RuleGraph graph = ManifestCluster.load(manifests, reading)
        .warnOfFailClosedPolicies(spec.commandLine().getErr()).cluster().graph();
    Pod source = endpoint(graph, "--from", from);
    Pod destination = endpoint(graph, "--to", to);
    PrintWriter out = spec.commandLine().getOut();
    if (output.isPicture()) {
      out.print(output.render(picture(graph, source, destination)));
      out.flush();
      return ExitCode.OK;
    }
    Endpoint sourceEnd = Endpoint.of(source, family);
    Endpoint destinationEnd = Endpoint.of(destination, family);
    Optional<Traffic> traffic = port.trafficTo(destination);
    String resolvedPort = port.isNamed() && traffic.isPresent()
        ? " (port " + traffic.get().port() + ")" : "";
    out.println(describe(sourceEnd) + " -> " + describe(destinationEnd) + " on " + port
        + resolvedPort + ": " + ConnectionExplanation.of(new Evaluator(graph), sourceEnd,
            destinationEnd, destination, port));
    out.flush();
    return ExitCode.OK;
  }

  /** The matrix of the port and family, with the connection asked about highlighted. */
  private Picture picture(RuleGraph graph, Pod source, Pod destination) {
    Picture.Connection connection = new Picture.Connection(source.ref(), destination.ref());
    Picture.Panel panel = Picture.Panel.explained("", MatrixEvaluator.observe(graph, port, family),
        graph, Optional.empty(), Optional.of(connection));
    return new Picture(source.ref() + " -> " + destination.ref(),
        ImmutableList.of(panel));
  }

  private Pod endpoint(RuleGraph graph, String option, String text) {
    ObjectRef ref;
    try {
      ref = ObjectRef.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(option, null, FieldPath.ROOT, e.getMessage());
    }
    Pod pod = graph.pod(ref).orElseThrow(() -> new InvalidInputException(option, null,
        FieldPath.ROOT, "no pod " + ref + " in the manifests"));
    String problem = pod.hostNetwork() ? "uses the host network"
        : pod.phase().isTerminated() ? "has terminated"
        : pod.ip(family).isEmpty() ? "has no IPv" + family.number() + " address"
        : null;
    if (problem != null) {
      throw new InvalidInputException(option, null, FieldPath.ROOT, "pod " + ref + " " + problem
          + ", so it is not an endpoint that policies apply to");
    }
    return pod;
  }

  private static String describe(Endpoint end) {
    return end + " (" + InetAddresses.toAddrString(end.ip()) + ")";
  }
}
