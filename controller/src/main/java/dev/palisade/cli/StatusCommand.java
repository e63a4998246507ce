package dev.palisade.cli;

import dev.palisade.k8s.ClusterOptions;
import dev.palisade.realization.AgentLease;
import dev.palisade.realization.PolicyRealization;
import dev.palisade.realization.PolicyVersion;
import dev.palisade.realization.Realization;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code palisade status}: on how many nodes each NetworkPolicy's current version is enforced,
 * read from the agents' report Leases and the policies (the same computation as the
 * controller's gauges, {@link Realization}).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show per NetworkPolicy on how many nodes its current version is enforced "
        + "(from the agents' reports), and which nodes do not report. Exit status 0 when every "
        + "policy is enforced on every node and every node reports, 1 otherwise, 2 when the "
        + "cluster cannot be read.")
public final class StatusCommand implements Callable<Integer> {
  @Option(names = "--agent-namespace", paramLabel = "NAMESPACE",
      defaultValue = "palisade-system",
      description = "Namespace where Palisade is installed (its agents report there). "
          + "Default: ${DEFAULT-VALUE}.")
  String agentNamespace;

  @Mixin
  ClusterOptions cluster;

  @Spec
  CommandSpec spec;

  private final Clock clock;

  public StatusCommand() {
    this(Clock.systemUTC());
  }

  StatusCommand(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Integer call() {
    Realization realization;
    try (KubernetesClient client = cluster.client()) {
      realization = read(client, clock.instant());
    } catch (KubernetesClientException e) {
      // Not ApiErrors.explain: its hints are about the agent's grants, not the user's.
      spec.commandLine().getErr().println("cannot read the cluster"
          + (e.getCode() > 0 ? " (HTTP " + e.getCode() + ")" : "") + ": " + e.getMessage());
      return ExitCode.BAD_INPUT;
    }
    spec.commandLine().getOut().print(RealizationTable.render(realization, agentNamespace));
    boolean complete = realization.notReporting().isEmpty()
        && realization.policies().stream().allMatch(PolicyRealization::enforcedEverywhere);
    return complete ? ExitCode.OK : ExitCode.FAILED;
  }

  private Realization read(KubernetesClient client, Instant now) {
    var policies = client.network().v1().networkPolicies().inAnyNamespace().list().getItems()
        .stream().map(PolicyVersion::of).toList();
    var reports = client.leases().inNamespace(agentNamespace)
        .withLabel(AgentLease.REPORT_LABEL, "true").list().getItems().stream()
        .flatMap(lease -> AgentLease.read(lease, now).stream()).toList();
    return Realization.of(policies, reports);
  }
}
