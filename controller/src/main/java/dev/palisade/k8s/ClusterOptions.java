package dev.palisade.k8s;

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

  @Option(names = "--context", paramLabel = "NAME",
      description = "The kubeconfig context to use. Default: its current-context.")
  public String context;

  /** Whether the command line named a cluster (as opposed to relying on discovery). */
  public boolean named() {
    return kubeconfig != null || context != null;
  }

  public KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  public Config config() {
    Config config = kubeconfig == null ? Config.autoConfigure(context)
        : Config.fromKubeconfig(context, kubeconfig);
    // fabric8 falls back to the current context when the named one does not exist: that would
    // show another cluster than the one asked for.
    boolean known = context == null || config.getContexts() != null && config.getContexts()
        .stream().anyMatch(named -> context.equals(named.getName()));
    if (!known) {
      throw new InvalidInputException("--context", null, FieldPath.ROOT, "no context '"
          + context + "' in the kubeconfig");
    }
    // HTTP/1.1: on a 401 the API server closes an HTTP/2 connection (GOAWAY) and the JDK client
    // then reports only the GOAWAY, never the status, so a revoked token looked like a network
    // fault. Watches are long-lived requests either way; HTTP/2 multiplexing buys nothing here.
    config.setHttp2Disable(true);
    return config;
  }
}
