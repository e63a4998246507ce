package dev.palisade.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The API server a demo cluster writes its objects to and its agents watch: the embedded mock
 * server ({@link EmbeddedApiServer}) or an external one ({@link ExternalApiServer}). The demo
 * creates its own objects there and removes them at the end; it never changes what it did not
 * create ({@link OwnedObjects}).
 */
public interface ApiServer extends AutoCloseable {

  /** A new client for the harness itself (it plays kubelet, CNI and the user). */
  KubernetesClient client();

  /** A kubeconfig file for the agents, written into {@code workDir} when needed. */
  Path agentKubeconfig(Path workDir) throws IOException;

  /** How messages name this server, e.g. "the API server of admin.kubeconfig". */
  String describe();

  @Override
  void close();
}
