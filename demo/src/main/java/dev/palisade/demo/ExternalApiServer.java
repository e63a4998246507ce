package dev.palisade.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * An API server the demo did not start ({@code palisade demo --kubeconfig FILE}): a real
 * kube-apiserver, possibly without kubelets. The agents use the same kubeconfig as the harness.
 */
public final class ExternalApiServer implements ApiServer {
  private final Path kubeconfig;
  private final Supplier<KubernetesClient> connect;

  /**
   * @param kubeconfig what the agents are given
   * @param connect makes a client from the same kubeconfig for the harness
   */
  public ExternalApiServer(Path kubeconfig, Supplier<KubernetesClient> connect) {
    this.kubeconfig = kubeconfig;
    this.connect = connect;
  }

  @Override
  public KubernetesClient client() {
    return connect.get();
  }

  @Override
  public Path agentKubeconfig(Path workDir) {
    return kubeconfig.toAbsolutePath();
  }

  @Override
  public String describe() {
    return "the API server of " + kubeconfig;
  }

  /** The server keeps running: it is not the demo's. */
  @Override
  public void close() {}
}
