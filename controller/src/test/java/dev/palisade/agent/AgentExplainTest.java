package dev.palisade.agent;

import dev.palisade.dataplane.state.DesiredState;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.base.Ticker;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.IncrementalNodeCompiler;
import dev.palisade.dataplane.compile.StableNames;
import dev.palisade.dataplane.kernel.FakeKernel;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's {@code /explain} on node-1 of a small cluster (mock API server, real compiler, fake
 * kernel): the evaluator's verdict and reasons for the directions this node enforces, the chain
 * and sets of the compiled state that decide, "not on this node" for the others, and 400/404 for
 * queries it cannot answer.
 */
class AgentExplainTest {
  private static final String NODE = "node-1";
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  /**
   * x/web (node-1) admits x/client on its named port http (8080); x/client (node-1) may send
   * only to app=web on 8080; x/db runs on node-2 and nothing isolates its egress.
   */
  private static final String CLUSTER = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: x, labels: {kubernetes.io/metadata.name: x}}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: web, namespace: x, labels: {app: web}}
      spec:
        nodeName: node-1
        containers: [{name: web, ports: [{name: http, containerPort: 8080, protocol: TCP}]}]
      status: {phase: Running, podIP: 10.0.1.10, podIPs: [{ip: 10.0.1.10}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: client, namespace: x, labels: {app: client}}
      spec:
        nodeName: node-1
        containers: [{name: client}]
      status: {phase: Running, podIP: 10.0.1.11, podIPs: [{ip: 10.0.1.11}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: db, namespace: x, labels: {app: db}}
      spec:
        nodeName: node-2
        containers: [{name: db, ports: [{name: sql, containerPort: 5432, protocol: TCP}]}]
      status: {phase: Running, podIP: 10.0.2.10, podIPs: [{ip: 10.0.2.10}]}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: web-ingress, namespace: x}
      spec:
        podSelector: {matchLabels: {app: web}}
        ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: http}]}]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: client-egress, namespace: x}
      spec:
        podSelector: {matchLabels: {app: client}}
        policyTypes: [Egress]
        egress: [{to: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}]
      """;

  private static KubernetesMockServer server;
  private static KubernetesClient client;
  private static Agent<DesiredState> agent;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void startWithTheCluster() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    KernelWriter kernel = FakeKernel.writerOver(new FakeKernel());
    agent = new Agent<>(client, AgentSettings.defaults(NODE).withHealth("127.0.0.1", 0),
        TestDataplanes.iptables(
            new IncrementalNodeCompiler(NODE, DataplaneSettings.DEFAULTS)::compile, kernel),
        Optional.empty(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        Ticker.systemTicker());
    agent.start();
    List<HasMetadata> written = new ArrayList<>();
    for (HasMetadata object : client.load(new ByteArrayInputStream(
        CLUSTER.getBytes(StandardCharsets.UTF_8))).items()) {
      HasMetadata created = client.resource(object).create();
      if (object instanceof Pod pod) {
        // a create drops the status, as on a real API server: addresses come through /status
        created = client.resource(new PodBuilder((Pod) created).withStatus(pod.getStatus())
            .build()).updateStatus();
      }
      written.add(created);
    }
    for (HasMetadata object : written) {
      long version = Long.parseLong(object.getMetadata().getResourceVersion());
      await(() -> agent.enforcedVersions().getOrDefault(object.getKind(), -1L) >= version);
    }
    await(() -> explain("from=x/client&to=x/web&port=http").path("inKernel").asBoolean());
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.destroy();
    }
  }

  @Test
  void bothDirectionsOfALocalPairNameTheEvaluatorsReasonsAndTheAllowingPolicyChains() {
    JsonNode answer = explain("from=x/client&to=x/web&port=http");

    assertThat(answer.path("node").asText()).isEqualTo(NODE);
    assertThat(answer.path("served").asBoolean()).isTrue();
    assertThat(answer.path("traffic").asText()).isEqualTo("8080/TCP");
    assertThat(answer.path("allowed").asBoolean()).isTrue();
    assertThat(answer.path("inKernel").asBoolean()).isTrue();
    assertThat(answer.path("modelVersions")).isEqualTo(answer.path("enforcedVersions"));
    assertThat(answer.path("from").path("address").asText()).isEqualTo("10.0.1.11");

    JsonNode egress = answer.path("egress");
    assertThat(egress.path("enforcedHere").asBoolean()).isTrue();
    assertThat(egress.path("verdict").asText()).isEqualTo("ALLOWED");
    assertThat(texts(egress.path("allowedBy"))).containsExactly("x/client-egress egress[0]");
    assertThat(egress.path("explanation").asText())
        .isEqualTo("egress of x/client: allowed by x/client-egress egress[0]");
    JsonNode egressKernel = egress.path("kernel");
    assertThat(egressKernel.path("outcome").asText()).isEqualTo("PASSED");
    assertThat(egressKernel.path("chain").asText()).isEqualTo(StableNames.DEFAULT
        .policyChain(Direction.EGRESS, ObjectRef.of("x", "client-egress")).preferred());
    assertThat(egressKernel.path("chainOf").asText()).isEqualTo("policy x/client-egress egress");
    assertThat(egressKernel.path("rule").asText()).contains("--dport 8080", "MARK");
    assertThat(texts(egressKernel.path("sets"))).singleElement().asString()
        .startsWith("pal-4s-");

    JsonNode ingress = answer.path("ingress");
    assertThat(ingress.path("verdict").asText()).isEqualTo("ALLOWED");
    assertThat(texts(ingress.path("isolatedBy"))).containsExactly("x/web-ingress");
    assertThat(ingress.path("kernel").path("chain").asText()).isEqualTo(StableNames.DEFAULT
        .policyChain(Direction.INGRESS, ObjectRef.of("x", "web-ingress")).preferred());
    assertThat(ingress.path("kernel").path("allows").asBoolean()).isTrue();
  }

  @Test
  void aDeniedIngressNamesThePodChainAndTheRemoteEgressIsNotOnThisNode() {
    JsonNode answer = explain("from=x/db&to=x/web&port=8080/TCP");

    assertThat(answer.path("allowed").asBoolean()).isFalse();
    JsonNode egress = answer.path("egress");
    assertThat(egress.path("enforcedHere").asBoolean()).isFalse();
    assertThat(egress.path("note").asText())
        .isEqualTo("not on this node: x/db runs on node node-2");
    assertThat(egress.has("verdict")).isFalse();
    assertThat(egress.path("podNode").asText()).isEqualTo("node-2");

    JsonNode ingress = answer.path("ingress");
    assertThat(ingress.path("verdict").asText()).isEqualTo("DENIED");
    assertThat(ingress.path("explanation").asText())
        .isEqualTo("ingress of x/web: isolated by x/web-ingress and no rule allowed it");
    JsonNode kernel = ingress.path("kernel");
    assertThat(kernel.path("outcome").asText()).isEqualTo("DROPPED");
    assertThat(kernel.path("allows").asBoolean()).isFalse();
    assertThat(kernel.path("chain").asText()).isEqualTo(StableNames.DEFAULT
        .podChain(Direction.INGRESS, ObjectRef.of("x", "web")).preferred());
    assertThat(kernel.path("chainOf").asText()).isEqualTo("pod x/web ingress");
  }

  @Test
  void aPodThatIsNotIsolatedIsDecidedByTheIsolatedSet() {
    JsonNode egress = explain("from=x/web&to=x/db&port=5432/TCP").path("egress");

    assertThat(egress.path("verdict").asText()).isEqualTo("NOT_ISOLATED");
    assertThat(egress.path("kernel").path("outcome").asText()).isEqualTo("PASSED");
    assertThat(egress.path("kernel").path("chain").asText())
        .isEqualTo(StableNames.DEFAULT.stageChain(Direction.EGRESS));
    assertThat(texts(egress.path("kernel").path("sets")))
        .containsExactly(StableNames.DEFAULT.isolatedSet(IpFamily.V4, Direction.EGRESS));
    assertThat(explain("from=x/web&to=x/db&port=5432/TCP").path("ingress").path("note")
        .asText()).isEqualTo("not on this node: x/db runs on node node-2");
  }

  @Test
  void anAddressOutsideTheClusterIsNoPodOnAnyNode() {
    JsonNode answer = explain("from=203.0.113.7&to=x/web&port=8080/TCP");

    JsonNode egress = answer.path("egress");
    assertThat(egress.path("verdict").asText()).isEqualTo("NOT_A_POD");
    assertThat(egress.path("enforcedHere").asBoolean()).isFalse();
    assertThat(answer.path("from").has("node")).isFalse();
    assertThat(answer.path("ingress").path("verdict").asText()).isEqualTo("DENIED");
  }

  @Test
  void aPortTheDestinationDoesNotServeIsSaidSoAndStillJudgedByNumber() {
    JsonNode answer = explain("from=x/client&to=x/web&port=81/TCP");
    assertThat(answer.path("served").asBoolean()).isFalse();
    assertThat(answer.has("traffic")).isFalse();
    assertThat(answer.path("egress").path("verdict").asText()).isEqualTo("DENIED");

    JsonNode named = explain("from=x/client&to=x/web&port=grpc");
    assertThat(named.path("served").asBoolean()).isFalse();
    assertThat(named.has("egress")).as("a name nobody serves has no number to judge").isFalse();
  }

  @Test
  void aQueryItCannotReadIs400AndAnUnknownPodIs404() {
    assertThat(status("")).isEqualTo(400);
    assertThat(error("from=x/client&to=x/web")).isEqualTo("the query parameter 'port' is "
        + "missing (e.g. /explain?from=x/a&to=y/b&port=80/TCP; from and to: namespace/pod or "
        + "an address)");
    assertThat(status("from=x/client&to=x/web&port=80/XTP")).isEqualTo(400);
    assertThat(error("from=x/client&to=x/web&port=80&colour=red"))
        .startsWith("unknown query parameter 'colour'");
    assertThat(status("from=client&to=x/web&port=80")).isEqualTo(400);
    assertThat(status("from=x/client&to=8.8.8.8&port=http")).isEqualTo(400);
    assertThat(status("from=x/client&to=fd00::1&port=80&family=4")).isEqualTo(400);
    assertThat(status("from=x/client&to=x/web&port=80&family=5")).isEqualTo(400);

    assertThat(status("from=x/nobody&to=x/web&port=80")).isEqualTo(404);
    assertThat(error("from=x/client&to=y/web&port=80"))
        .isEqualTo("to: no pod y/web in the model of node node-1");
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  private static JsonNode explain(String query) {
    HttpResponse<String> response = get(query);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return parse(response.body());
  }

  private static int status(String query) {
    return get(query).statusCode();
  }

  private static String error(String query) {
    HttpResponse<String> response = get(query);
    assertThat(response.statusCode()).isBetween(400, 499);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return parse(response.body()).path("error").asText();
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  private static HttpResponse<String> get(String query) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + agent.healthPort() + "/explain" + (query.isEmpty() ? "" : "?" + query))).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
