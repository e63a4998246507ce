package dev.palisade.cli;

import static dev.palisade.cli.CliRun.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.k8s.Manifest;
import dev.palisade.k8s.ManifestLoader;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * matrix, explain, lint and diff on a live cluster: the fabric8 mock API server in CRUD mode on
 * loopback, holding the objects of {@code cli/live/cluster.yaml}. Read from the server, they must
 * give exactly what the same file gives.
 */
class LiveClusterCommandsTest {
  private static final String CLUSTER = resource("live/cluster.yaml");
  private static final String CHANGE = resource("live/change.yaml");

  @TempDir
  Path work;

  private KubernetesMockServer server;
  private KubernetesClient client;
  private String kubeconfig;

  @BeforeEach
  void startServerWithTheClusterOfTheFile() throws IOException {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    for (Manifest manifest : new ManifestLoader().load(List.of(Path.of(CLUSTER)))) {
      client.resource(manifest.object()).create();
    }
    kubeconfig = writeKubeconfig("x").toString();
  }

  @AfterEach
  void stopServer() {
    client.close();
    server.destroy();
  }

  @Test
  void matrixOfTheClusterIsThatOfTheSameObjectsInAFile() {
    for (String[] options : List.of(new String[] {"-A"}, new String[] {"-A", "--port", "80"},
        new String[] {"-A", "-o", "json"}, new String[] {"-n", "y"},
        new String[] {"-A", "--to", "8.8.8.8", "10.1.2.3", "--port", "53/UDP"})) {
      CliRun fromFile = CliRun.of(concat(new String[] {"matrix", "-f", CLUSTER}, options));
      CliRun live = CliRun.of(concat(new String[] {"matrix", "--kubeconfig", kubeconfig},
          options));
      assertThat(fromFile.exitCode()).as(fromFile.toString()).isZero();
      assertThat(live).as(String.join(" ", options)).isEqualTo(fromFile);
    }
  }

  @Test
  void aNamespaceNarrowsTheViewButVerdictsStillSeeEveryNamespace() {
    // x/b admits the blue team's namespaces on 80: y's label decides a cell of namespace x.
    CliRun onlyX = CliRun.of("matrix", "--kubeconfig", kubeconfig, "-n", "x", "--port", "80");
    assertThat(onlyX.out()).isEqualTo("""
        Matrix 80/TCP IPv4 (. allowed, X denied or not served; rows are sources)
                  x/a x/b
              x/a .   .
              x/b .   X
        """);
    CliRun contextNamespace = CliRun.of("matrix", "--kubeconfig", kubeconfig, "--port", "80");
    assertThat(contextNamespace.out()).as("the kubeconfig context's namespace, as kubectl")
        .isEqualTo(onlyX.out());
    CliRun fromY = CliRun.of("matrix", "--kubeconfig", kubeconfig, "-n", "x", "--port", "80",
        "--from", "y/c");
    assertThat(fromY.out()).contains("      y/c .   .\n");
  }

  @Test
  void explainAndLintOfTheClusterAreThoseOfTheFile() {
    String[] explain = {"explain", "--from", "y/c", "--to", "x/b", "--port", "80/TCP"};
    CliRun live = CliRun.of(concat(explain, new String[] {"--kubeconfig", kubeconfig}));
    assertThat(live.exitCode()).as(live.toString()).isZero();
    assertThat(live).isEqualTo(CliRun.of(concat(explain, new String[] {"-f", CLUSTER})));
    assertThat(live.out()).contains("ingress of x/b: allowed by x/b-ingress ingress[1]");
    CliRun bareName = CliRun.of("explain", "--kubeconfig", kubeconfig, "-n", "x",
        "--from", "a", "--to", "b", "--port", "80/TCP");
    assertThat(bareName.out()).startsWith("x/a (10.244.1.10) -> x/b (10.244.2.10) on 80/TCP");

    CliRun lintFile = CliRun.of("lint", "-f", CLUSTER);
    CliRun lintLive = CliRun.of("lint", "--kubeconfig", kubeconfig, "-A");
    assertThat(lintLive.exitCode()).isEqualTo(lintFile.exitCode());
    assertThat(lintLive.out()).contains("NetworkPolicy y/c-ingress (cluster "
        + client.getMasterUrl() + "):");
    assertThat(withoutOrigins(lintLive.out())).isEqualTo(withoutOrigins(lintFile.out()))
        .contains("PAL004 WARNING");
    assertThat(CliRun.of("lint", "--kubeconfig", kubeconfig, "-n", "x").out())
        .isEqualTo("no findings\n");
  }

  @Test
  void explainEnforcedNamesWhatStandsBetweenItAndTheAgents() {
    String[] explain = {"explain", "--kubeconfig", kubeconfig, "--from", "x/a", "--to", "x/b",
        "--port", "80/TCP", "--enforced"};
    CliRun noAgent = CliRun.of(explain);
    assertThat(noAgent.exitCode()).as(noAgent.toString()).isEqualTo(2);
    assertThat(noAgent.err()).contains("--enforced: no Palisade agent is running on node node-1 "
        + "(no running pod labelled app.kubernetes.io/component=agent,"
        + "app.kubernetes.io/part-of=palisade in namespace palisade-system; --agent-namespace "
        + "names where Palisade is installed)");

    client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
        .withName("palisade-system").endMetadata().build()).create();
    for (String node : List.of("node-1", "node-2")) {
      Pod agent = client.pods().inNamespace("palisade-system").resource(new PodBuilder()
          .withNewMetadata().withName("palisade-agent-" + node)
          .withLabels(EnforcedExplanation.AGENT_LABELS).endMetadata()
          .withNewSpec().withNodeName(node).withHostNetwork(true).endSpec().build()).create();
      client.pods().inNamespace("palisade-system").resource(new PodBuilder(agent)
          .withNewStatus().withPhase("Running").withPodIP("192.0.2.1").endStatus().build())
          .updateStatus();
    }
    // the mock server proxies nothing (it answers with a list): whatever is no agent's answer
    CliRun unreachable = CliRun.of(concat(explain, new String[] {"--agent-port", "9400"}));
    assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(2);
    assertThat(unreachable.err()).contains("--enforced: the agent "
        + "palisade-system/palisade-agent-node-1 on node node-1 did not answer through the API "
        + "server's pod proxy (port 9400, --agent-port): 200 {\"apiVersion\":\"v1\"");

    CliRun addresses = CliRun.of("explain", "--kubeconfig", kubeconfig, "--from", "203.0.113.7",
        "--to", "8.8.8.8", "--port", "53/UDP", "--enforced");
    assertThat(addresses.err()).contains("neither end is a pod, so no node's agent enforces "
        + "this connection");
    CliRun withFile = CliRun.of("explain", "-f", CLUSTER, "--from", "x/a", "--to", "x/b",
        "--port", "80/TCP", "--enforced");
    assertThat(withFile.exitCode()).isEqualTo(2);
    assertThat(withFile.err()).contains("--enforced asks the agents of a live cluster what "
        + "they enforce: -f does not apply");
    CliRun picture = CliRun.of(concat(explain, new String[] {"-o", "html"}));
    assertThat(picture.err()).contains("--output html is not available here; choose table, "
        + "json");
    CliRun json = CliRun.of("explain", "--kubeconfig", kubeconfig, "--from", "x/a", "--to",
        "x/b", "--port", "80/TCP", "-o", "json");
    assertThat(json.err()).contains("--output json is not available here; choose table, html, "
        + "dot");
  }

  @Test
  void aPendingPodOfTheClusterIsNoEndpointAndIsNotGivenAnAddress() {
    client.pods().inNamespace("x").resource(new PodBuilder().withNewMetadata().withName("p")
        .addToLabels("pod", "p").endMetadata().withNewSpec().addNewContainer().withName("web")
        .withImage("registry.k8s.io/pause:3.10").addNewPort().withContainerPort(80).endPort()
        .endContainer().endSpec().withNewStatus().withPhase("Pending").endStatus().build())
        .create();
    CliRun run = CliRun.of("matrix", "--kubeconfig", kubeconfig, "-n", "x", "--port", "80");
    assertThat(run.out()).contains("          x/a x/b\n");
    CliRun explain = CliRun.of("explain", "--kubeconfig", kubeconfig, "--from", "x/p", "--to",
        "x/a", "--port", "80");
    assertThat(explain.exitCode()).isEqualTo(2);
    assertThat(explain.err()).contains("pod x/p has no IPv4 address");
  }

  @Test
  void diffPrintsEveryCellThatApplyingTheFileWouldChange() {
    CliRun run = CliRun.of("diff", "-f", CHANGE, "--kubeconfig", kubeconfig, "-A",
        "--port", "80/TCP");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).isEqualTo("""
        x/a -> x/d 80/TCP IPv4: no endpoint -> allowed
        x/b -> x/d 80/TCP IPv4: no endpoint -> allowed
        x/d -> x/a 80/TCP IPv4: no endpoint -> allowed
        x/d -> x/b 80/TCP IPv4: no endpoint -> allowed
        x/d -> y/c 80/TCP IPv4: no endpoint -> denied
        y/c -> x/b 80/TCP IPv4: allowed -> denied
        y/c -> x/d 80/TCP IPv4: no endpoint -> allowed
        7 changes
        """);
    CliRun json = CliRun.of("diff", "-f", CHANGE, "--kubeconfig", kubeconfig, "-A",
        "--port", "80/TCP", "-o", "json");
    assertThat(json.out()).contains("\"from\" : \"y/c\"", "\"before\" : \"allowed\"",
        "\"after\" : \"denied\"", "\"before\" : null");

    CliRun same = CliRun.of("diff", "-f", CLUSTER, "--kubeconfig", kubeconfig, "-A");
    assertThat(same.exitCode()).as(same.toString()).isZero();
    assertThat(same.out()).isEqualTo("no change\n");
  }

  @Test
  void manifestsAndAClusterAreOneOrTheOtherExceptInDiff() {
    CliRun run = CliRun.of("matrix", "-f", CLUSTER, "--kubeconfig", kubeconfig);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("palisade diff compares them");
  }

  @Test
  void anUnreachableClusterIsUnusableInputNamingWhatWasAsked() throws IOException {
    server.destroy();
    CliRun run = CliRun.of("lint", "--kubeconfig", kubeconfig);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).startsWith("palisade: cluster " + client.getMasterUrl()
        + ": cannot list namespaces cluster-wide (").contains("get and list on namespaces, pods and")
        .as("names the cause").containsPattern("failed\\. java\\.[a-z.]+\\.\\w+Exception\\)");
  }

  @Test
  void anUnknownContextIsRefusedNotReplacedByTheCurrentOne() {
    CliRun run = CliRun.of("matrix", "--kubeconfig", kubeconfig, "--context", "staging");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).isEqualTo(
        "palisade: --context: no context 'staging' in the kubeconfig\n");
    CliRun named = CliRun.of("matrix", "--kubeconfig", kubeconfig, "--context", "mock", "-A");
    assertThat(named.exitCode()).as(named.toString()).isZero();
  }

  private Path writeKubeconfig(String namespace) throws IOException {
    return Files.writeString(work.resolve("kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "%s"}
        users:
        - name: tester
          user: {token: secret}
        contexts:
        - name: mock
          context: {cluster: mock, user: tester, namespace: %s}
        current-context: mock
        """.formatted(client.getMasterUrl(), namespace));
  }

  private static String withoutOrigins(String lint) {
    return lint.replaceAll(" \\((cluster [^)]*|[^)]*document \\d+)\\):", ":");
  }

  private static String[] concat(String[] first, String[] second) {
    return Stream.concat(Stream.of(first), Stream.of(second)).toArray(String[]::new);
  }
}
