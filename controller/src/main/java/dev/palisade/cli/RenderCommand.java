package dev.palisade.cli;

import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.ebpf.EbpfRenderer;
import dev.palisade.dataplane.ebpf.IdentityTable;
import dev.palisade.dataplane.plan.NodePlanner;
import dev.palisade.dataplane.render.RestorePayload;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.IpFamily;
import dev.palisade.scenario.ClusterState;
import dev.palisade.scenario.Scenario;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code palisade render}: the exact ipset and iptables payloads a node would apply to an empty
 * kernel for a scenario's cluster, or the eBPF backend's map contents, for reviewers and admins.
 * Starts no process.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
    description = "Prints the ipset restore and iptables-restore payloads that a node's agent "
        + "would apply (to an empty kernel) for a scenario's cluster, IPv4 then IPv6; with "
        + "--backend ebpf, the contents of the eBPF backend's maps instead.")
final class RenderCommand implements Callable<Integer> {
  @Mixin
  private ManifestReading reading;

  @Spec
  private CommandSpec spec;

  @Option(names = "--scenario", required = true, paramLabel = "FILE",
      description = "The scenario file (SCENARIO.md).")
  private Path scenarioFile;

  @Option(names = "--step", paramLabel = "N",
      description = "Render the cluster as the probes of step N see it (0: the initial "
          + "objects). Default: after the last step.")
  private Integer step;

  @Option(names = "--node", required = true, paramLabel = "NAME",
      description = "The node whose share to render, e.g. node-1.")
  private String node;

  @Option(names = "--backend", defaultValue = "iptables", paramLabel = "BACKEND",
      description = "iptables (default): the restore payloads; ebpf: the maps (endpoints, "
          + "identities by prefix and the classes they stand for, verdicts), numbered as a "
          + "fresh agent would number them.")
  private Backend backend;

  /** The dataplane whose state to print. */
  enum Backend { iptables, ebpf }

  @Mixin
  private DataplaneOptions dataplane;

  @Mixin
  private InstallationOption instance;

  @Override
  public Integer call() {
    Scenario scenario = new ScenarioParser(reading.reader()).parse(scenarioFile);
    int steps = step == null ? scenario.steps().size() : step;
    ClusterState cluster = ScenarioRunner.stateAfter(scenario, steps);
    if (cluster.objects().stream().noneMatch(object -> "Pod".equals(object.getKind())
        && object instanceof io.fabric8.kubernetes.api.model.Pod pod
        && node.equals(pod.getSpec().getNodeName()))) {
      throw new InvalidInputException(scenarioFile.toString(), null, null, "no pod runs on "
          + "node '" + node + "'; the scenario's nodes are node-1 to node-" + scenario.nodes());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (backend == Backend.ebpf) {
      out.print(new EbpfRenderer(new IdentityTable.Interner(), dataplane.settings())
          .render(NodePlanner.plan(cluster.graph(), node)).describe());
    } else {
      DesiredState desired = NodeCompiler.compile(cluster.graph(), node,
          dataplane.settings().withInstallation(instance.installation));
      for (IpFamily family : IpFamily.values()) {
        out.print(RestorePayload.of(desired.family(family)).describe());
      }
    }
    out.flush();
    return ExitCode.OK;
  }
}
