package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.palisade.dataplane.compile.StableNames;
import dev.palisade.e2e.realapi.UserCommand.Run;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.demo.AgentProcess;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl palisade explain --enforced} on a real kube-apiserver: kubectl finds the plugin,
 * the plugin finds the agent pod of the node by the chart's labels and asks its {@code /explain}
 * through the API server's pod proxy, and the answer agrees with {@code palisade explain} on the
 * same cluster. The agent is a process of the shipped jar programming a network namespace the
 * test made, its health port on loopback. Its Pod object (no kubelet runs) has a made-up address
 * that is never dialled: the API server sends its pod-proxy traffic as CONNECT requests to a Unix
 * socket ({@code --cluster-egress-uds}), where {@link PodProxyEgress} joins exactly that address
 * and port to the agent's loopback port and refuses everything else. Also: the documented Roles
 * are what a user needs, and without the pods/proxy grant the command says so.
 */
@Tag("control-plane")
class ExplainEnforcedOnRealApiTest {
  private static final Path REPOSITORY = ControlPlane.repository();
  private static final String SYSTEM = "palisade-system";
  private static final String NODE = "node-1";
  /** The agent pod's address as the API server knows it: routed only by the egress socket. */
  private static final String AGENT_POD_IP = "10.213.0.5";
  private static final int CHART_AGENT_PORT = 9301;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern HEALTH_PORT =
      Pattern.compile("serving health and metrics on port (\\d+)");
  private static final String CLUSTER = """
      apiVersion: v1
      kind: Pod
      metadata: {name: a, namespace: shop, labels: {app: a}}
      spec:
        nodeName: node-1
        containers: [{name: a, image: a, ports: [{name: http, containerPort: 80}]}]
      status: {phase: Running, podIP: 10.244.1.10, podIPs: [{ip: 10.244.1.10}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: b, namespace: shop, labels: {app: b}}
      spec:
        nodeName: node-1
        containers: [{name: b, image: b, ports: [{name: http, containerPort: 8080}]}]
      status: {phase: Running, podIP: 10.244.1.11, podIPs: [{ip: 10.244.1.11}]}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: b-from-a, namespace: shop}
      spec:
        podSelector: {matchLabels: {app: b}}
        ingress: [{from: [{podSelector: {matchLabels: {app: a}}}], ports: [{port: http}]}]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: a-to-web, namespace: shop}
      spec:
        podSelector: {matchLabels: {app: a}}
        policyTypes: [Egress]
        egress: [{ports: [{port: http}]}]
      """;

  private static Path work;
  private static PodProxyEgress egress;
  private static ControlPlane plane;
  private static NetnsCluster netns;
  private static AgentProcess agent;
  private static String agentPod;

  @BeforeAll
  static void startTheAgentBehindThePodProxy() throws IOException {
    work = Files.createTempDirectory("palisade-explain-enforced-");
    Path socket = work.resolve("konnectivity.sock");
    egress = PodProxyEgress.listen(socket);
    plane = ControlPlane.start(false, Optional.of(socket));
    KubernetesClient admin = plane.admin();
    plane.createNamespace(SYSTEM, Map.of());
    plane.createNamespace("shop", Map.of());
    plane.createNode(NODE, "10.244.1.0/24");
    Map<String, Long> written = new HashMap<>();
    for (HasMetadata object : admin.load(new ByteArrayInputStream(
        CLUSTER.getBytes(StandardCharsets.UTF_8))).items()) {
      HasMetadata created = createWithStatus(admin, object);
      written.merge(created.getKind(), Long.parseLong(created.getMetadata()
          .getResourceVersion()), Math::max);
    }
    // The agent's Pod as the chart's DaemonSet would make it, with a made-up address.
    agentPod = createWithStatus(admin, new PodBuilder().withNewMetadata()
        .withName("palisade-agent-x7k2p").withNamespace(SYSTEM)
        .addToLabels("app.kubernetes.io/name", "palisade")
        .addToLabels("app.kubernetes.io/instance", "palisade")
        .addToLabels("app.kubernetes.io/component", "agent")
        .addToLabels("app.kubernetes.io/part-of", "palisade").endMetadata()
        .withNewSpec().withNodeName(NODE).withHostNetwork(true).addNewContainer()
        .withName("agent").withImage("palisade:test").endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP(AGENT_POD_IP).addNewPodIP()
        .withIp(AGENT_POD_IP).endPodIP().endStatus().build()).getMetadata().getName();

    netns = NetnsCluster.start("palexplain", 1);
    agent = AgentProcess.start(System.getProperty("palisade.jar"), NODE,
        netns.nodeNamespace(1), plane.adminKubeconfig(), work.resolve("agent.log"), List.of());
    Await.until("the agent enforces the cluster", TIMEOUT, () -> agent.enforces(written),
        () -> "; its log:\n" + read(agent.log()));
    egress.route(AGENT_POD_IP + ":" + CHART_AGENT_PORT, healthPort(agent.log()));
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      if (agent != null) {
        agent.close();
      }
      if (netns != null) {
        netns.close();
      }
    } finally {
      try {
        if (plane != null) {
          plane.close();
        }
      } finally {
        if (egress != null) {
          egress.close();
        }
      }
    }
  }

  @Test
  void throughKubectlTheAgentsAnswerAgreesWithTheEvaluatorAndNamesTheDecidingChain(
      @TempDir Path bin) throws IOException {
    Files.createSymbolicLink(bin.resolve("kubectl-palisade"),
        REPOSITORY.resolve("kubectl-palisade"));
    String admin = plane.adminKubeconfig().toString();

    // allowed: a's egress by its named port (8080 on b), b's ingress from a
    List<String> allowed = List.of("explain", "--from", "shop/a", "--to", "shop/b", "--port",
        "http");
    Run enforced = run(bin, admin, "kubectl", Stream.concat(Stream.of("palisade"),
        Stream.concat(allowed.stream(), Stream.of("--enforced"))).toList());
    Run offline = run(bin, admin, "palisade", allowed);
    assertThat(enforced.exitCode()).as(enforced.toString()).isZero();
    assertThat(offline.exitCode()).as(offline.toString()).isZero();
    assertThat(withoutKernelLines(enforced.out())).isEqualTo(offline.out());
    assertThat(offline.out()).startsWith("shop/a (10.244.1.10) -> shop/b (10.244.1.11) on "
        + "http/TCP (port 8080): ALLOWED\n");
    List<String> kernel = kernelLines(enforced.out());
    assertThat(kernel).hasSize(2);
    assertThat(kernel.get(0)).startsWith("    node node-1 (agent " + agentPod + ") passes it at "
        + StableNames.DEFAULT.policyChain(Direction.EGRESS, ObjectRef.of("shop", "a-to-web"))
            .preferred() + " (policy shop/a-to-web egress), set pal-4e-");
    // a's selector set (the peer) and b's named-port set (the port resolved on b)
    assertThat(kernel.get(1)).matches(Pattern.quote("    node node-1 (agent " + agentPod
        + ") passes it at " + StableNames.DEFAULT.policyChain(Direction.INGRESS,
            ObjectRef.of("shop", "b-from-a")).preferred() + " (policy shop/b-from-a ingress), "
        + "sets ") + "pal-4[si]-\\S+, pal-4[si]-\\S+");
    assertThat(egress.asked()).as("what the API server asked the egress socket for")
        .containsOnly(AGENT_POD_IP + ":" + CHART_AGENT_PORT);

    // denied: b serves 8080 over TCP only, and neither policy allows UDP 8080
    List<String> denied = List.of("explain", "--from", "shop/a", "--to", "shop/b", "--port",
        "8080/UDP", "--enforced", "-o", "json");
    Run json = run(bin, admin, "kubectl", Stream.concat(Stream.of("palisade"),
        denied.stream()).toList());
    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode answer = new ObjectMapper().readTree(json.out());
    assertThat(answer.path("served").asBoolean()).isFalse();
    assertThat(answer.path("allowed").asBoolean()).isFalse();
    assertThat(answer.path("egress").path("verdict").asText()).isEqualTo("DENIED");
    assertThat(answer.path("egress").path("kernel").path("chain").asText())
        .isEqualTo(StableNames.DEFAULT.podChain(Direction.EGRESS, ObjectRef.of("shop", "a"))
            .preferred());
    assertThat(answer.path("egress").path("kernel").path("allows").asBoolean()).isFalse();
    assertThat(answer.path("egress").path("agent").asText()).isEqualTo(agentPod);
    assertThat(answer.path("egress").path("inKernel").asBoolean()).isTrue();
  }

  @Test
  void theDocumentedRolesAreWhatAUserNeedsAndTheMissingProxyGrantIsNamed(@TempDir Path bin)
      throws IOException {
    KubernetesClient admin = plane.admin();
    for (String file : List.of("docs/palisade-viewer-rbac.yaml",
        "docs/palisade-enforced-rbac.yaml")) {
      for (HasMetadata object : admin.load(Files.newInputStream(REPOSITORY.resolve(file)))
          .items()) {
        admin.resource(object).create();
      }
    }
    admin.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder()
        .withNewMetadata().withName("developer").endMetadata().build()).create();
    admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
        .withNewMetadata().withName("developer-palisade-viewer").endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
        .withName("palisade-viewer").endRoleRef().addNewSubject().withKind("ServiceAccount")
        .withNamespace("default").withName("developer").endSubject().build()).create();
    String developer = plane.kubeconfigFor("default", "developer").toString();
    List<String> command = List.of("explain", "--from", "shop/a", "--to", "shop/b", "--port",
        "http", "--enforced");

    Run refused = run(bin, developer, "palisade", command);
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.err()).contains("the API server refused to proxy to the agent "
        + SYSTEM + "/" + agentPod + " (403 ", "cannot get resource \"pods/proxy\"",
        "explain --enforced needs get on pods/proxy in namespace " + SYSTEM);

    admin.rbac().roleBindings().inNamespace(SYSTEM).resource(new RoleBindingBuilder()
        .withNewMetadata().withName("developer-enforced").withNamespace(SYSTEM).endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
        .withName("palisade-enforced-viewer").endRoleRef().addNewSubject()
        .withKind("ServiceAccount").withNamespace("default").withName("developer").endSubject()
        .build()).create();
    Await.until("the authorizer to take the RoleBinding", TIMEOUT,
        () -> run(bin, developer, "palisade", command).exitCode() == 0);
    assertThat(run(bin, developer, "palisade", command).out()).contains("ALLOWED");
  }

  private static HasMetadata createWithStatus(KubernetesClient admin, HasMetadata object) {
    if (object instanceof Pod pod) {
      Pod created = admin.resource(new PodBuilder(pod).withStatus(null).build()).create();
      return admin.resource(new PodBuilder(created).withStatus(pod.getStatus()).build())
          .updateStatus();
    }
    return admin.resource(object).create();
  }

  /** The explanation without the lines that say where each node's kernel decides. */
  private static String withoutKernelLines(String out) {
    return out.lines().filter(line -> !line.startsWith("    node "))
        .collect(Collectors.joining("\n", "", "\n"));
  }

  private static List<String> kernelLines(String out) {
    return out.lines().filter(line -> line.startsWith("    node ")).toList();
  }

  private static int healthPort(Path log) {
    Matcher port = HEALTH_PORT.matcher(read(log));
    assertThat(port.find()).as("the health port in the agent's log").isTrue();
    return Integer.parseInt(port.group(1));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code kubectl ARGS} (finding the plugin in {@code bin}) or the checkout's
   * {@code palisade ARGS}, as a user with {@code kubeconfig}.
   */
  private static Run run(Path bin, String kubeconfig, String program, List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(program.equals("kubectl") ? plane.kubectl().toString()
        : REPOSITORY.resolve("palisade").toString());
    command.addAll(arguments);
    return UserCommand.run(work, bin, Path.of(kubeconfig), command);
  }
}
