package dev.palisade.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.net.InetAddresses;
import dev.palisade.k8s.FieldPath;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.IpFamily;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.scenario.ProbePort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * {@code explain --enforced}: asks the agents what they enforce now for one connection, through
 * the API server's pod proxy ({@code GET pods/NAME:PORT/proxy/explain?...}, which needs {@code get}
 * on {@code pods/proxy} in the agents' namespace), and combines their answers: the egress from the
 * agent of the source pod's node, the ingress from the agent of the destination pod's node (one
 * agent when both run on one node). An end that is an address outside the cluster is no pod on
 * any node: its direction is taken from the other agent's answer.
 */
final class EnforcedExplanation {
  /** The labels every agent pod of the chart carries (its selector labels plus part-of). */
  static final Map<String, String> AGENT_LABELS = Map.of(
      "app.kubernetes.io/component", "agent", "app.kubernetes.io/part-of", "palisade");
  private static final long TIMEOUT_SECONDS = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final String agentNamespace;
  private final int agentPort;

  EnforcedExplanation(KubernetesClient client, String agentNamespace, int agentPort) {
    this.client = client;
    this.agentNamespace = agentNamespace;
    this.agentPort = agentPort;
  }

  /**
   * The combined answer: the connection as the agents read it, the verdict of both directions,
   * and per direction the node and agent pod that answered, with its model and enforced versions.
   */
  ObjectNode explain(Endpoint source, Endpoint destination, ProbePort port, IpFamily family) {
    Optional<String> sourceNode = source.endpointPod().map(dev.palisade.model.Pod::nodeName);
    Optional<String> destinationNode =
        destination.endpointPod().map(dev.palisade.model.Pod::nodeName);
    if (sourceNode.isEmpty() && destinationNode.isEmpty()) {
      throw error("neither end is a pod, so no node's agent enforces this connection");
    }
    String query = "from=" + encode(end(source)) + "&to=" + encode(end(destination)) + "&port="
        + encode(port.toString()) + "&family=" + family.number();
    Map<String, ObjectNode> answers = new LinkedHashMap<>();
    for (String node : List.of(sourceNode, destinationNode).stream()
        .flatMap(Optional::stream).distinct().toList()) {
      answers.put(node, ask(node, query));
    }
    ObjectNode egressAnswer = answers.get(sourceNode.orElse(destinationNode.get()));
    ObjectNode ingressAnswer = answers.get(destinationNode.orElse(sourceNode.get()));
    ObjectNode combined = JSON.createObjectNode();
    for (String field : List.of("from", "to", "port", "served", "traffic")) {
      if (ingressAnswer.has(field)) {
        combined.set(field, ingressAnswer.get(field));
      }
    }
    if (ingressAnswer.has("ingress")) {
      JsonNode egress = direction(egressAnswer, "egress");
      JsonNode ingress = direction(ingressAnswer, "ingress");
      combined.put("allowed", egress.path("allows").asBoolean()
          && ingress.path("allows").asBoolean());
      combined.set("egress", egress);
      combined.set("ingress", ingress);
    }
    return combined;
  }

  /** The agent's answer about one direction, with the node, agent and versions it comes from. */
  private static JsonNode direction(ObjectNode answer, String direction) {
    ObjectNode json = ((ObjectNode) answer.get(direction)).deepCopy();
    if (json.path("enforcedHere").asBoolean()) {
      json.put("node", answer.path("node").asText());
      json.set("agent", answer.get("agent"));
      json.set("inKernel", answer.get("inKernel"));
      json.set("modelVersions", answer.get("modelVersions"));
      json.set("enforcedVersions", answer.get("enforcedVersions"));
    }
    return json;
  }

  /** The text explain prints after the connection: the verdict, then each direction. */
  static String text(JsonNode combined, String destination) {
    StringBuilder text = new StringBuilder();
    String indent = "\n  ";
    if (!combined.path("served").asBoolean()) {
      text.append("DENIED").append(indent).append(destination).append(" does not serve ")
          .append(combined.path("port").asText());
      if (!combined.has("egress")) {
        return text.toString();
      }
      text.append(indent).append("policies: ");
      indent = "\n    ";
    }
    text.append(combined.path("allowed").asBoolean() ? "ALLOWED" : "DENIED");
    for (String direction : List.of("egress", "ingress")) {
      JsonNode half = combined.path(direction);
      text.append(indent).append(half.path("explanation").asText());
      if (half.path("enforcedHere").asBoolean()) {
        text.append(indent).append("  ").append(kernelLine(half));
      }
    }
    return text.toString();
  }

  /**
   * e.g. "node-1 (agent palisade-agent-x7k2p) enforces it at PALISADE-RI-x.web-1a2b3c4d
   * (policy x/web ingress), sets pal-4s-x.app_client-5e6f7a8b".
   */
  private static String kernelLine(JsonNode half) {
    JsonNode kernel = half.path("kernel");
    String where = "node " + half.path("node").asText() + " (agent "
        + half.path("agent").asText() + ")";
    if (kernel.has("error")) {
      return where + ": " + kernel.path("error").asText();
    }
    StringBuilder line = new StringBuilder(where).append(' ')
        .append(kernel.path("allows").asBoolean() ? "passes" : "drops")
        .append(" it at ").append(kernel.path("chain").asText());
    if (kernel.has("chainOf")) {
      line.append(" (").append(kernel.path("chainOf").asText()).append(')');
    }
    List<String> sets = new java.util.ArrayList<>();
    kernel.path("sets").forEach(set -> sets.add(set.asText()));
    if (!sets.isEmpty()) {
      line.append(", set").append(sets.size() > 1 ? "s " : " ")
          .append(String.join(", ", sets));
    }
    if (!half.path("inKernel").asBoolean()) {
      line.append("; the kernel does not hold this model yet (model ")
          .append(half.path("modelVersions")).append(", kernel ")
          .append(half.path("enforcedVersions")).append(')');
    }
    return line.toString();
  }

  /** One agent's answer: {@code /explain} of the agent pod on {@code node}, via the pod proxy. */
  private ObjectNode ask(String node, String query) {
    Pod agent = agentOn(node);
    String name = agent.getMetadata().getName();
    String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/"
        + agentNamespace + "/pods/" + name + ":" + agentPort + "/proxy/explain?" + query;
    HttpClient http = client.getHttpClient();
    HttpResponse<String> response;
    try {
      response = http.sendAsync(http.newHttpRequestBuilder().uri(url).build(), String.class)
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw error("cannot reach the agent " + agentNamespace + "/" + name + " on node " + node
          + " through the API server's pod proxy: " + (e.getCause() == null ? e : e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw error("interrupted while asking the agent on node " + node);
    }
    JsonNode body = parse(response.body());
    if (response.code() == 200 && body instanceof ObjectNode answer && answer.has("node")
        && answer.has("served")) {
      answer.put("agent", name);
      return answer;
    }
    if (body.has("error")) {
      throw error("the agent " + agentNamespace + "/" + name + " on node " + node
          + " answered " + response.code() + ": " + body.path("error").asText());
    }
    String said = body.has("message") ? body.path("message").asText() : response.body();
    if (response.code() == 401 || response.code() == 403) {
      throw error("the API server refused to proxy to the agent " + agentNamespace + "/" + name
          + " (" + response.code() + " " + said + "); explain --enforced needs get on "
          + "pods/proxy in namespace " + agentNamespace
          + " (a Role: docs/palisade-enforced-rbac.yaml)");
    }
    String shown = said.strip().length() > 200 ? said.strip().substring(0, 200) + "..."
        : said.strip();
    throw error("the agent " + agentNamespace + "/" + name + " on node " + node + " did not "
        + "answer through the API server's pod proxy (port " + agentPort + ", --agent-port): "
        + response.code() + " " + shown);
  }

  /** The running agent pod on the node (the newest, during a rollout). */
  private Pod agentOn(String node) {
    List<Pod> agents;
    try {
      agents = client.pods().inNamespace(agentNamespace).withLabels(AGENT_LABELS).list()
          .getItems();
    } catch (KubernetesClientException e) {
      throw error("cannot list the agent pods in namespace " + agentNamespace + " ("
          + e.getCode() + " " + (e.getStatus() == null ? e.getMessage()
              : e.getStatus().getMessage()) + ")");
    }
    return agents.stream()
        .filter(pod -> node.equals(pod.getSpec().getNodeName()))
        .filter(pod -> pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()))
        .max(Comparator.comparing(pod -> pod.getMetadata().getCreationTimestamp(),
            Comparator.nullsFirst(Comparator.naturalOrder())))
        .orElseThrow(() -> error("no Palisade agent is running on node " + node + " (no "
            + "running pod labelled " + AGENT_LABELS.entrySet().stream()
                .map(label -> label.getKey() + "=" + label.getValue()).sorted()
                .collect(Collectors.joining(",")) + " in namespace " + agentNamespace
            + "; --agent-namespace names where Palisade is installed)"));
  }

  /** How the agent reads an end: the pod, or the address. */
  private static String end(Endpoint end) {
    return end.endpointPod().map(pod -> pod.ref().toString())
        .orElse(InetAddresses.toAddrString(end.ip()));
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (JsonProcessingException e) {
      return JSON.createObjectNode().put("message", body);
    }
  }

  private static InvalidInputException error(String problem) {
    return new InvalidInputException("--enforced", null, FieldPath.ROOT, problem);
  }
}
