package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.e2e.realapi.UserCommand.Run;
import dev.palisade.k8s.Manifest;
import dev.palisade.k8s.ManifestLoader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl palisade} on a real kube-apiserver: kubectl finds the launcher on PATH (as
 * .ci/setup installs it: a link to the checkout's {@code kubectl-palisade}, and as krew installs
 * the archive of {@code krew/package}), and the live-cluster commands answer exactly what the same
 * objects give from a file. The objects are {@code cli/live/cluster.yaml} of the controller's
 * tests, written as a cluster holds them (pods get their addresses through the status
 * subresource).
 */
@Tag("control-plane")
class KubectlPluginOnRealApiTest {
  private static final Path REPOSITORY = ControlPlane.repository();
  private static final Path CLUSTER =
      REPOSITORY.resolve("controller/src/test/resources/cli/live/cluster.yaml");
  private static ControlPlane plane;

  @TempDir
  Path work;

  @BeforeAll
  static void startWithTheObjectsOfTheFile() {
    plane = ControlPlane.start(false);
    KubernetesClient admin = plane.admin();
    for (Manifest manifest : new ManifestLoader().load(List.of(CLUSTER))) {
      if (manifest.object() instanceof Namespace namespace) {
        plane.createNamespace(namespace.getMetadata().getName(),
            namespace.getMetadata().getLabels());
      } else if (manifest.object() instanceof Pod pod) {
        Pod created = admin.resource(new PodBuilder(pod).withStatus(null).build()).create();
        admin.resource(new PodBuilder(created).withStatus(pod.getStatus()).build())
            .updateStatus();
      } else {
        admin.resource(manifest.object()).create();
      }
    }
  }

  @AfterAll
  static void stop() {
    if (plane != null) {
      plane.close();
    }
  }

  @Test
  void kubectlRunsTheCheckoutsLauncherAndItReadsTheClusterAsTheFile() throws IOException {
    Path bin = Files.createDirectories(work.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("kubectl-palisade"),
        REPOSITORY.resolve("kubectl-palisade"));

    Run plugins = kubectl(bin, "plugin", "list");
    assertThat(plugins.out()).as(plugins.toString())
        .contains(bin.resolve("kubectl-palisade").toString());
    for (List<String> command : List.of(
        List.of("matrix", "-A"),
        List.of("explain", "--from", "y/c", "--to", "x/b", "--port", "80/TCP"),
        List.of("explain", "--from", "x/a", "--to", "10.1.2.3", "--port", "53/UDP"),
        List.of("matrix", "-A", "--from", "203.0.113.7", "203.0.113.200", "--port", "80"))) {
      Run live = kubectl(bin, Stream.concat(Stream.of("palisade"), command.stream()).toList());
      Run fromFile = run(bin, Stream.of(Stream.of(REPOSITORY.resolve("palisade").toString()),
          command.stream(), Stream.of("-f", CLUSTER.toString())).flatMap(s -> s).toList());
      assertThat(live.exitCode()).as(live.toString()).isZero();
      assertThat(live).as(String.join(" ", command)).isEqualTo(fromFile);
    }
  }

  @Test
  void theKrewArchiveRunsAsAPluginToo() throws IOException {
    Path out = work.resolve("krew");
    Run packaged = run(work, List.of("bash", REPOSITORY.resolve("krew/package").toString(),
        "https://example.invalid/kubectl-palisade.tar.gz", out.toString()));
    assertThat(packaged.exitCode()).as(packaged.toString()).isZero();
    String manifest = Files.readString(out.resolve("palisade.yaml"));
    Run sha = run(work, List.of("sha256sum", out.resolve("kubectl-palisade.tar.gz").toString()));
    assertThat(manifest).contains("sha256: " + sha.out().split(" ")[0] + "\n",
        "uri: https://example.invalid/kubectl-palisade.tar.gz\n");

    // what krew does: unpack, keep the files the manifest names, link bin into its bin folder
    Path installed = Files.createDirectories(work.resolve("installed"));
    run(work, List.of("tar", "-xzf", out.resolve("kubectl-palisade.tar.gz").toString(), "-C",
        installed.toString()));
    Path krewBin = Files.createDirectories(work.resolve("krew-bin"));
    Files.createSymbolicLink(krewBin.resolve("kubectl-palisade"),
        installed.resolve("kubectl-palisade"));
    Run lint = kubectl(krewBin, "palisade", "lint", "-A");
    assertThat(lint.exitCode()).as(lint.toString()).isZero();
    assertThat(lint.out()).contains("PAL004 WARNING NetworkPolicy y/c-ingress (cluster https://");
  }

  @Test
  void theDocumentedClusterRoleIsAllTheCommandsNeed() throws IOException {
    KubernetesClient admin = plane.admin();
    for (HasMetadata object : admin.load(Files.newInputStream(
        REPOSITORY.resolve("docs/palisade-viewer-rbac.yaml"))).items()) {
      admin.resource(object).create();
    }
    admin.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder()
        .withNewMetadata().withName("developer").endMetadata().build()).create();
    ClusterRoleBinding binding = admin.rbac().clusterRoleBindings().resource(
        new ClusterRoleBindingBuilder().withNewMetadata().withName("developer-palisade-viewer")
            .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
            .withKind("ClusterRole").withName("palisade-viewer").endRoleRef()
            .addNewSubject().withKind("ServiceAccount").withNamespace("default")
            .withName("developer").endSubject().build()).create();
    String developer = plane.kubeconfigFor("default", "developer").toString();

    Run granted = lintAs(developer);
    assertThat(granted.exitCode()).as(granted.toString()).isZero();
    assertThat(granted.out()).contains("1 finding");

    admin.resource(binding).delete();
    Await.until("the authorizer to drop the binding", Duration.ofSeconds(60),
        () -> lintAs(developer).exitCode() != 0);
    Run refused = lintAs(developer);
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.err()).contains("cannot list namespaces cluster-wide (403 namespaces is "
        + "forbidden: User \"system:serviceaccount:default:developer\" cannot list");
  }

  private Run lintAs(String kubeconfig) {
    return run(work, List.of(REPOSITORY.resolve("palisade").toString(), "lint", "-A",
        "--kubeconfig", kubeconfig));
  }

  private Run kubectl(Path pluginDir, String... arguments) {
    return kubectl(pluginDir, List.of(arguments));
  }

  private Run kubectl(Path pluginDir, List<String> arguments) {
    List<String> command = new ArrayList<>(List.of(plane.kubectl().toString()));
    command.addAll(arguments);
    return run(pluginDir, command);
  }

  /**
   * Runs a command with {@code pathFirst}, this JVM's java and the system's folders on PATH and
   * the admin's kubeconfig, as a user's shell would hold them.
   */
  private Run run(Path pathFirst, List<String> command) {
    return UserCommand.run(work, pathFirst, plane.adminKubeconfig(), command);
  }
}
