package dev.palisade.cli;

import dev.palisade.k8s.ClusterOptions;
import dev.palisade.k8s.Manifest;
import dev.palisade.scenario.ShownNamespaces;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where matrix, explain, lint and diff read the cluster: manifests ({@code -f}) or a live
 * cluster (the kubeconfig's), and which namespaces they show ({@code -n}, {@code -A}). A live
 * cluster is read whole, since selectors reach across namespaces; only the view is narrowed.
 */
final class ClusterSource {
  @Mixin
  ClusterOptions connection;

  @ArgGroup(exclusive = true)
  Shown shown;

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  static final class Shown {
    @Option(names = {"-n", "--namespace"}, required = true, paramLabel = "NS",
        description = "Show only this namespace: its pods in matrix, its policies in lint; "
            + "explain reads a pod named without namespace/ there. Default: every namespace of "
            + "-f; for a live cluster the namespace of the kubeconfig context, as kubectl does.")
    String namespace;

    @Option(names = {"-A", "--all-namespaces"}, required = true,
        description = "Show every namespace.")
    boolean all;
  }

  /** The cluster to evaluate and what of it to show. */
  record View(ManifestCluster loaded, ShownNamespaces shown) {}

  /** The objects of a live cluster, as its API server returned them, and what to show. */
  record Live(List<Manifest> objects, ShownNamespaces shown) {}

  /**
   * The manifests of {@code -f} when given (a cluster may not be named then: diff combines
   * them), else the live cluster.
   */
  View read(List<Path> manifests, ManifestReading reading) {
    if (manifests == null) {
      Live live = readLive();
      return new View(ManifestCluster.observe(live.objects()), live.shown());
    }
    if (connection.named()) {
      throw new ParameterException(command.commandLine(), "-f reads manifests and "
          + "--kubeconfig/--context a live cluster: give one (palisade diff compares them)");
    }
    return new View(ManifestCluster.load(manifests, reading), shown(ShownNamespaces.ALL));
  }

  /** Lists the live cluster once: the API server's answer is read, never watched. */
  Live readLive() {
    try (KubernetesClient client = client()) {
      LiveCluster live = new LiveCluster(client);
      return new Live(live.objects(), shown(ShownNamespaces.of(live.contextNamespace())));
    }
  }

  /** A client of the live cluster that asks each question once. */
  KubernetesClient client() {
    Config config = connection.config();
    // One answer, asked once: fabric8's default of ten retries with doubling backoff kept a
    // command on a cluster that is down waiting for 45 s before it said so.
    config.setRequestRetryBackoffLimit(0);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private ShownNamespaces shown(ShownNamespaces byDefault) {
    if (shown == null) {
      return byDefault;
    }
    return shown.all ? ShownNamespaces.ALL : ShownNamespaces.of(shown.namespace);
  }
}
