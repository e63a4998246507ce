package dev.palisade.cli;

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
import dev.palisade.model.eval.Verdict;
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

  @Override
  public Integer call() {
    RuleGraph graph = ManifestCluster.load(manifests, reading)
        .warnOfFailClosedPolicies(spec.commandLine().getErr()).cluster().graph();
    Pod source = endpoint(graph, "--from", from);
    Pod destination = endpoint(graph, "--to", to);
    PrintWriter out = spec.commandLine().getOut();
    Optional<Traffic> traffic = port.trafficTo(destination);
    Endpoint sourceEnd = Endpoint.of(source, family);
    Endpoint destinationEnd = Endpoint.of(destination, family);
    String connection = describe(sourceEnd) + " -> " + describe(destinationEnd) + " on " + port;
    if (traffic.isEmpty()) {
      out.println(connection + ": DENIED");
      out.println("  " + destination.ref() + " does not serve " + port);
      if (!port.isNamed()) {
        Verdict policies = new Evaluator(graph).verdict(sourceEnd, destinationEnd,
            Traffic.of(port.protocol(), port.number()));
        out.println("  policies: " + policies.explain().replace("\n", "\n  "));
      }
    } else {
      Verdict verdict = new Evaluator(graph).verdict(sourceEnd, destinationEnd, traffic.get());
      out.println(connection + (port.isNamed() ? " (port " + traffic.get().port() + ")" : "")
          + ": " + verdict.explain());
    }
    out.flush();
    return ExitCode.OK;
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
