package dev.palisade.controller;

import dev.palisade.http.HealthServer;
import dev.palisade.model.lint.Linter;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.palisade.k8s.ClusterOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code palisade controller}: runs the leader-elected cluster controller until the JVM is
 * stopped (SIGTERM: a shutdown hook stops the operator). A replica that loses the lease, or
 * cannot reach the API server, stays up and rejoins the election ({@link ControllerReplica}).
 */
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = "Run the cluster controller: lints every NetworkPolicy against the live "
        + "cluster and publishes findings as Events on the policy, plus cluster metrics. One "
        + "replica leads (Lease); the others wait as standbys.")
public final class ControllerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ControllerCommand.class);

  @Option(names = "--lease-namespace", paramLabel = "NAMESPACE",
      defaultValue = "${env:POD_NAMESPACE:-default}",
      description = "Namespace of the leader-election Lease. Default: $POD_NAMESPACE, else "
          + "'default'.")
  String leaseNamespace;

  @Option(names = "--lease-name", paramLabel = "NAME", defaultValue = "palisade-controller",
      description = "Name of the leader-election Lease. Default: ${DEFAULT-VALUE}.")
  String leaseName;

  @Option(names = "--health-port", paramLabel = "PORT", defaultValue = "9302",
      description = "Port of /healthz, /readyz and /metrics. Default: ${DEFAULT-VALUE}.")
  int healthPort;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() throws Exception {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var settings = new ControllerSettings(leaseNamespace, leaseName, identity(),
        ControllerSettings.DEFAULT_REFRESH);
    try (KubernetesClient client = cluster.client();
        var replica = new ControllerReplica(metrics -> new PalisadeController(client, settings,
            Clock.systemUTC(), new LinterNotices(new Linter()), analyzer -> metrics), registry,
            Duration.ofSeconds(1), Duration.ofSeconds(30));
        var http = new HealthServer(new InetSocketAddress(healthPort),
            "palisade-controller-http", HealthServer.Check.serving(),
            HealthServer.Check.of(replica::isReady, "informers not started or not synced"),
            HealthServer.Metrics.of(registry), Map.of())) {
      log.info("palisade controller {} starting; lease {}/{}; health port {}",
          settings.identity(), leaseNamespace, leaseName, http.port());
      Runtime.getRuntime().addShutdownHook(new Thread(replica::close, "palisade-stop"));
      replica.run();
      return 0;
    }
  }


  /** The pod's name (Kubernetes sets HOSTNAME to it), else a random one. */
  private static String identity() {
    String hostname = System.getenv("HOSTNAME");
    return hostname == null || hostname.isBlank() ? "palisade-" + UUID.randomUUID() : hostname;
  }
}
