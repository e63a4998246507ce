package dev.palisade.cli;

import com.google.common.base.Ticker;
import dev.palisade.agent.Agent;
import dev.palisade.agent.AgentSettings;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.kernel.KernelWriter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import dev.palisade.model.Cidr;
import dev.palisade.model.ObjectRef;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code palisade agent}: enforces NetworkPolicies on one node until stopped. Every option can
 * also come from {@code PALISADE_<OPTION>} or the {@code --config} file.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Enforce NetworkPolicies on this node (runs until stopped; needs root or "
        + "CAP_NET_ADMIN). Options also read PALISADE_<OPTION> environment variables and the "
        + "--config file.")
final class AgentCommand implements Callable<Integer> {
  @Option(names = "--node-name", required = true, paramLabel = "NAME",
      description = "The Kubernetes node this agent enforces for (in a DaemonSet: "
          + "spec.nodeName through the downward API).")
  String nodeName;

  @Option(names = SettingsDefaults.CONFIG_OPTION, paramLabel = "FILE",
      description = "Properties file with defaults for these options (keys: long option names "
          + "without dashes, e.g. deny-action=REJECT). Also PALISADE_CONFIG.")
  File config;

  @Option(names = "--min-sync-interval", defaultValue = "1s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Syncs run at most this often; a burst of events becomes one sync. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration minSyncInterval;

  @Option(names = "--max-sync-interval", defaultValue = "5m", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "A sync runs at least this often, repairing drift in the kernel. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration maxSyncInterval;

  @Option(names = "--retry-interval", defaultValue = "1s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "First retry after a failed sync; doubles up to --max-retry-interval. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration retryInterval;

  @Option(names = "--max-retry-interval", defaultValue = "30s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Longest wait between retries of a failing sync. Default: ${DEFAULT-VALUE}.")
  Duration maxRetryInterval;

  @Option(names = "--health-address", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
      description = "Address of /healthz, /readyz, /metrics and /status. "
          + "Default: ${DEFAULT-VALUE}.")
  String healthAddress;

  @Option(names = "--health-port", defaultValue = "9301", paramLabel = "PORT",
      description = "Port of /healthz, /readyz, /metrics and /status (0: any free port). "
          + "Default: ${DEFAULT-VALUE}.")
  int healthPort;

  @Option(names = "--pod-name", defaultValue = "${env:POD_NAME}", paramLabel = "NAME",
      description = "The agent's own pod (env POD_NAME). With --pod-namespace it lets the agent "
          + "see its DaemonSet deleted and remove its rules on uninstall.")
  String podName;

  @Option(names = "--pod-namespace", defaultValue = "${env:POD_NAMESPACE}",
      paramLabel = "NAMESPACE", description = "The agent's own namespace (env POD_NAMESPACE).")
  String podNamespace;

  @Option(names = "--purge-conntrack", defaultValue = "false", arity = "1",
      paramLabel = "true|false",
      description = "After a policy change, delete the conntrack entries of connections opened "
          + "by pods that the policies now deny, so tightening a policy cuts them. "
          + "Default: ${DEFAULT-VALUE}.")
  boolean purgeConntrack;

  @Mixin
  ClusterOptions cluster;

  @Mixin
  KernelOptions kernelOptions;

  @Mixin
  DataplaneOptions dataplane;

  @Mixin
  InstallationOption instance;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (spec.defaultValueProvider() instanceof SettingsDefaults defaults
        && !defaults.unknownKeys(spec).isEmpty()) {
      throw new ParameterException(spec.commandLine(), "the config file sets "
          + defaults.unknownKeys(spec) + ", which are not agent options");
    }
    AgentSettings settings = new AgentSettings(nodeName, minSyncInterval, maxSyncInterval,
        retryInterval, maxRetryInterval, Duration.ofMinutes(2), healthAddress, healthPort,
        podName == null || podNamespace == null ? Optional.empty()
            : Optional.of(ObjectRef.of(podNamespace, podName)));
    KernelWriter kernel = kernelOptions.writer(instance.installation);
    CountDownLatch stopped = new CountDownLatch(1);
    try (KubernetesClient client = cluster.client()) {
      // Purging a flow only ends it if its next packet is not picked up again mid-stream.
      DataplaneSettings dataplaneSettings = dataplane.settings(() -> nodePodCidrs(client))
          .withStrictTcpPickup(purgeConntrack)
          .withInstallation(instance.installation);
      Agent agent = new Agent(client, settings,
          graph -> NodeCompiler.compile(graph, nodeName, dataplaneSettings), kernel,
          purgeConntrack ? Optional.of(kernelOptions.runner()) : Optional.empty(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Ticker.systemTicker());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          agent.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          stopped.countDown();
        }
      }, "palisade-shutdown"));
      agent.start();
      stopped.await();
    }
    return 0;
  }

  /** The Node's spec.podCIDRs (spec.podCIDR on older clusters); empty when it has none. */
  private List<Cidr> nodePodCidrs(KubernetesClient client) {
    Node node = client.nodes().withName(nodeName).get();
    if (node == null || node.getSpec() == null) {
      return List.of();
    }
    List<String> cidrs = node.getSpec().getPodCIDRs() != null
        && !node.getSpec().getPodCIDRs().isEmpty() ? node.getSpec().getPodCIDRs()
        : node.getSpec().getPodCIDR() == null ? List.of() : List.of(node.getSpec().getPodCIDR());
    return cidrs.stream().map(Cidr::parse).toList();
  }
}
