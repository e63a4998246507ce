package dev.palisade.e2e.realapi;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver v1.34.4 (RBAC, default
 * admission plugins, Pod Security included), optionally kube-controller-manager, all on
 * loopback, started and stopped by {@code .ci/control-plane/start} and {@code stop} in a work
 * directory (binaries from {@code .ci/control-plane/build}'s cache: a test fails, never skips,
 * when they are missing). The mock server proves nothing about RBAC, validation or watches;
 * this does.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
  private static final Path SCRIPTS = REPOSITORY.resolve(".ci/control-plane");

  private final Path workDir;
  private final boolean withControllerManager;
  private final Optional<Path> clusterEgress;
  private KubernetesClient admin;

  private ControlPlane(Path workDir, boolean withControllerManager,
      Optional<Path> clusterEgress) {
    this.workDir = workDir;
    this.withControllerManager = withControllerManager;
    this.clusterEgress = clusterEgress;
  }

  /** Starts a new control plane in a fresh temporary work directory. */
  public static ControlPlane start(boolean withControllerManager) {
    return start(withControllerManager, Optional.empty());
  }

  /**
   * Starts a new control plane whose traffic to the cluster (pod proxy among it) goes as HTTP
   * CONNECT requests to the Unix socket {@code clusterEgress}, when given
   * ({@code .ci/control-plane/start --cluster-egress-uds}).
   */
  public static ControlPlane start(boolean withControllerManager, Optional<Path> clusterEgress) {
    try {
      ControlPlane plane = new ControlPlane(Files.createTempDirectory("palisade-apiserver-"),
          withControllerManager, clusterEgress);
      plane.startProcesses();
      return plane;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repository root (for the chart, the jar and the scripts). */
  public static Path repository() {
    return REPOSITORY;
  }

  /** cluster-admin (system:masters), for setting up what the test needs. */
  public synchronized KubernetesClient admin() {
    if (admin == null) {
      admin = new KubernetesClientBuilder().withConfig(http1(Config.fromKubeconfig(
          adminKubeconfig().toFile()))).build();
    }
    return admin;
  }

  public Path adminKubeconfig() {
    return workDir.resolve("admin.kubeconfig");
  }

  /**
   * The API server's audit log: every request made with a ServiceAccount token outside
   * kube-system, one JSON object a line (see {@link AuditLog}).
   */
  public Path auditLog() {
    return workDir.resolve("audit.log");
  }

  /** The kubectl built with the control plane (its version matches the API server's). */
  public Path kubectl() {
    return Path.of(environment().get("PALISADE_CONTROL_PLANE_BIN"), "kubectl");
  }

  public String serverUrl() {
    return admin().getConfiguration().getMasterUrl();
  }

  /**
   * A kubeconfig that authenticates as ServiceAccount {@code namespace/name} with a fresh
   * token (TokenRequest, one hour), as a pod of that ServiceAccount would.
   */
  public Path kubeconfigFor(String namespace, String serviceAccount) {
    String token = tokenFor(namespace, serviceAccount);
    Path file = workDir.resolve("sa-" + namespace + "-" + serviceAccount + ".kubeconfig");
    try {
      Files.writeString(file, admin().getConfiguration().getCaCertData() == null
          ? kubeconfig(token, "insecure-skip-tls-verify: true")
          : kubeconfig(token, "certificate-authority-data: "
              + admin().getConfiguration().getCaCertData()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** A client authenticating as ServiceAccount {@code namespace/name}. */
  public KubernetesClient clientFor(String namespace, String serviceAccount) {
    return new KubernetesClientBuilder().withConfig(http1(
        Config.fromKubeconfig(kubeconfigFor(namespace, serviceAccount).toFile()))).build();
  }

  /** A token for the ServiceAccount, valid for an hour. */
  public String tokenFor(String namespace, String serviceAccount) {
    TokenRequest request = admin().serviceAccounts().inNamespace(namespace)
        .withName(serviceAccount).tokenRequest(new TokenRequestBuilder().withNewSpec()
            .withExpirationSeconds(3600L).endSpec().build());
    return request.getStatus().getToken();
  }

  /** Creates the namespace (labelled as asked) and its {@code default} ServiceAccount. */
  public void createNamespace(String name, Map<String, String> labels) {
    admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
        .withLabels(labels).endMetadata().build()).create();
    if (!withControllerManager) {
      // without the controller manager nobody creates it, and the ServiceAccount admission
      // plugin refuses pods that name a missing one
      admin().serviceAccounts().inNamespace(name).resource(new ServiceAccountBuilder()
          .withNewMetadata().withName("default").endMetadata().build()).create();
    }
  }

  /**
   * Compacts etcd's history up to its current revision, as the API server does every five
   * minutes: a watch that resumes from an older resource version then gets 410 Gone and its
   * informer must relist.
   */
  public void compactEtcd() {
    String etcd = environment().get("ETCD_ENDPOINT");
    HttpClient http = HttpClient.newHttpClient();
    try {
      String range = post(http, etcd + "/v3/kv/range", "{\"key\":\"AA==\"}");
      Matcher revision = Pattern.compile("\"revision\":\"(\\d+)\"").matcher(range);
      if (!revision.find()) {
        throw new IllegalStateException("etcd answered no revision: " + range);
      }
      post(http, etcd + "/v3/kv/compaction", "{\"revision\":\"" + revision.group(1)
          + "\",\"physical\":true}");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted compacting etcd", e);
    }
  }

  private static String post(HttpClient http, String url, String json)
      throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + response.statusCode() + ": "
          + response.body());
    }
    return response.body();
  }

  /** control-plane.env: ETCD_ENDPOINT, PALISADE_API_SERVER, ports. */
  private Map<String, String> environment() {
    try {
      Map<String, String> values = new HashMap<>();
      for (String line : Files.readAllLines(workDir.resolve("control-plane.env"))) {
        int equals = line.indexOf('=');
        if (equals > 0) {
          values.put(line.substring(0, equals), line.substring(equals + 1));
        }
      }
      return values;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates a Node object (no kubelet behind it) with this pod CIDR, labelled as a Linux node
   * so that DaemonSets place a pod on it.
   */
  public void createNode(String name, String podCidr) {
    admin().nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
        .addToLabels("kubernetes.io/os", "linux").endMetadata()
        .withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec().build()).create();
  }

  /** Stops every process (the data stays): an API server outage. */
  public void stopProcesses() {
    closeAdmin();
    run("stop", List.of(workDir.toString()));
  }

  /** Starts the processes again on the same data, address and credentials. */
  public void startProcesses() {
    List<String> args = new ArrayList<>(List.of(workDir.toString()));
    if (withControllerManager) {
      args.add("--controller-manager");
    }
    clusterEgress.ifPresent(socket -> args.addAll(List.of("--cluster-egress-uds",
        socket.toAbsolutePath().toString())));
    run("start", args);
  }

  @Override
  public void close() {
    stopProcesses();
  }

  /** The admin's pooled connections die with the API server: the next call opens new ones. */
  private synchronized void closeAdmin() {
    if (admin != null) {
      admin.close();
      admin = null;
    }
  }

  private String kubeconfig(String token, String trust) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: palisade
          cluster:
            server: %s
            %s
        users:
        - name: sa
          user:
            token: %s
        contexts:
        - name: palisade
          context: {cluster: palisade, user: sa}
        current-context: palisade
        """.formatted(serverUrl(), trust, token);
  }

  /** The project's clients speak HTTP/1.1 (dev.palisade.k8s.ClusterOptions says why). */
  private static Config http1(Config config) {
    return new ConfigBuilder(config).withHttp2Disable(true).build();
  }

  private void run(String script, List<String> args) {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPTS.resolve(script).toString()));
    command.addAll(args);
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(workDir.resolve(script + ".out").toFile()).start();
      if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(".ci/control-plane/" + script + " failed: "
            + Files.readString(workDir.resolve(script + ".out")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + script, e);
    }
  }
}
