package dev.palisade.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import picocli.CommandLine.Option;

/** How to reach the API server: a picocli mixin of every command that talks to it. */
public final class ClusterOptions {
  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "kubeconfig file. Default: the in-cluster service account, else $KUBECONFIG "
          + "or ~/.kube/config (fabric8's discovery).")
  public File kubeconfig;

  public KubernetesClient client() {
    Config config = kubeconfig == null ? Config.autoConfigure(null)
        : Config.fromKubeconfig(kubeconfig);
    // HTTP/1.1: on a 401 the API server closes an HTTP/2 connection (GOAWAY) and the JDK client
    // then reports only the GOAWAY, never the status, so a revoked token looked like a network
    // fault. Watches are long-lived requests either way; HTTP/2 multiplexing buys nothing here.
    config.setHttp2Disable(true);
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
