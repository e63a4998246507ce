package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.realization.AgentLease;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code palisade status --kubeconfig} against the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class StatusCommandTest {
  private KubernetesMockServer server;
  private KubernetesClient client;
  @TempDir
  Path dir;
  private Path kubeconfig;

  @BeforeEach
  void kubeconfig() throws IOException {
    kubeconfig = kubeconfigFor(client.getMasterUrl().toString());
  }

  private Path kubeconfigFor(String server) throws IOException {
    Path file = dir.resolve("kubeconfig-" + server.hashCode());
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
            insecure-skip-tls-verify: true
        contexts:
        - name: mock
          context: {cluster: mock, user: tester, namespace: default}
        current-context: mock
        users:
        - name: tester
          user: {token: secret}
        """.formatted(server));
    return file;
  }

  @Test
  void perPolicyTheNodesThatEnforceItAndTheNodesThatDoNotReport() {
    long older = version(client.resource(policy("x", "deny-all")).create());
    long newer = version(client.resource(policy("y", "allow-dns")).create());
    report("palisade-system", "node-1", newer, Instant.now());
    report("palisade-system", "node-2", older, Instant.now());
    Instant lastReport = Instant.parse("2026-12-01T09:00:00Z");
    report("palisade-system", "node-3", newer, lastReport);

    CliRun run = CliRun.of("status", "--kubeconfig", kubeconfig.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(run.out()).isEqualTo("""
        NAMESPACE  NAME       ENFORCED
        x          deny-all   2/3
        y          allow-dns  1/3

        Nodes: 3, reporting: 2
        Not reporting: node-3 (last report %s)
        """.formatted(lastReport));
  }

  @Test
  void everyPolicyOnEveryReportingNodeExitsZero() {
    long version = version(client.resource(policy("x", "deny-all")).create());
    report("palisade", "node-1", version, Instant.now());

    CliRun run = CliRun.of("status", "--kubeconfig", kubeconfig.toString(),
        "--agent-namespace", "palisade");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.OK);
    assertThat(run.out()).contains("x          deny-all  1/1").contains("Nodes: 1, reporting: 1");
  }

  @Test
  void aClusterThatRefusesTheReadExitsTwoAndSaysWhy() throws IOException {
    KubernetesMockServer refusing = new KubernetesMockServer();
    refusing.init();
    try {
      refusing.expect().get().withPath("/apis/networking.k8s.io/v1/networkpolicies")
          .andReturn(403, new StatusBuilder().withStatus("Failure").withCode(403)
              .withReason("Forbidden").withMessage("networkpolicies.networking.k8s.io is "
                  + "forbidden: User \"dev\" cannot list resource \"networkpolicies\"")
              .build()).always();

      CliRun run = CliRun.of("status", "--kubeconfig",
          kubeconfigFor(refusing.url("/")).toString());

      assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.BAD_INPUT);
      assertThat(run.err()).startsWith("cannot read the cluster (HTTP 403): ")
          .contains("networkpolicies.networking.k8s.io is forbidden");
      assertThat(run.out()).isEmpty();
    } finally {
      refusing.destroy();
    }
  }

  private void report(String namespace, String node, long policyVersion, Instant renewedAt) {
    client.resource(AgentLease.of(namespace, node,
        ImmutableSortedMap.of("NetworkPolicy", policyVersion), renewedAt,
        Duration.ofSeconds(30))).create();
  }

  private static long version(NetworkPolicy stored) {
    return Long.parseLong(stored.getMetadata().getResourceVersion());
  }

  private static NetworkPolicy policy(String namespace, String name) {
    return new NetworkPolicyBuilder().withNewMetadata().withNamespace(namespace).withName(name)
        .endMetadata().withNewSpec().withNewPodSelector().endPodSelector().endSpec().build();
  }
}
