package dev.palisade.cli;

import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.Manifest;
import dev.palisade.k8s.ManifestLoader;
import dev.palisade.model.IpFamily;
import dev.palisade.model.RuleGraph;
import dev.palisade.scenario.CellChange;
import dev.palisade.scenario.MatrixEvaluator;
import dev.palisade.scenario.ProbePort;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code palisade diff}: what applying manifests to the live cluster would change. */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = {
        "Prints how the live cluster's matrix would change if the manifests of -f were "
            + "applied to it: an object of the files replaces the live one of the same kind, "
            + "namespace and name (an existing pod keeps its node and addresses and takes the "
            + "new labels, as in Kubernetes), a new one is added (a new pod gets a simulated "
            + "address). One line per changed cell: source -> destination, port and family, "
            + "before -> after ('no endpoint' where the pod does not take part).",
        "Exit status: 0 no change, 1 changes, 2 unusable input."})
final class DiffCommand implements Callable<Integer> {
  @Mixin
  private ManifestReading reading;

  @Mixin
  private ClusterSource source;

  @Spec
  private CommandSpec spec;

  @Option(names = {"-f", "--filename"}, arity = "1..*", paramLabel = "PATH", required = true,
      description = "The manifests to compare with the cluster (files or folders).")
  private List<Path> manifests;

  @Option(names = "--port", converter = PortConverter.class, paramLabel = "PORT",
      description = "Only this port, e.g. 80/TCP. Default: every port a pod shown declares, "
          + "before or after.")
  private ProbePort port;

  @Option(names = "--family", converter = FamilyConverter.class, defaultValue = "4",
      paramLabel = "4|6", description = "The address family (default ${DEFAULT-VALUE}).")
  private IpFamily family;

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default) or json.")
  private OutputFormat output;

  @Override
  public Integer call() {
    List<Manifest> applied = new ManifestLoader(reading.reader()).load(manifests);
    ClusterSource.Live live = source.readLive();
    RuleGraph before = ManifestCluster.observe(live.objects()).cluster().graph();
    ManifestCluster after = ManifestCluster.observe(live.objects()).apply(applied)
        .warnOfFailClosedPolicies(spec.commandLine().getErr());
    List<ProbePort> ports = port != null ? List.of(port)
        : MatrixCommand.declaredPorts(family, live.shown(), before, after.cluster().graph());
    if (ports.isEmpty()) {
      throw new InvalidInputException("the cluster", null, null, "the pods declare no "
          + "container ports; choose one with --port, e.g. --port 80/TCP");
    }
    List<CellChange> changes = ports.stream()
        .flatMap(probe -> CellChange.between(
            MatrixEvaluator.observe(before, probe, family, live.shown()),
            MatrixEvaluator.observe(after.cluster().graph(), probe, family, live.shown()))
            .stream())
        .toList();
    PrintWriter out = spec.commandLine().getOut();
    out.print(output == OutputFormat.json ? new JsonRenderer().changes(changes)
        : new TableRenderer().changes(changes));
    out.flush();
    return changes.isEmpty() ? ExitCode.OK : ExitCode.FAILED;
  }
}
