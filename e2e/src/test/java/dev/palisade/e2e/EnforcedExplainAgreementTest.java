package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.palisade.demo.DemoBackend;
import dev.palisade.k8s.ManifestLoader;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.DirectionVerdict;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.RuleRef;
import dev.palisade.model.eval.Traffic;
import dev.palisade.model.eval.Verdict;
import dev.palisade.scenario.ClusterState;
import dev.palisade.scenario.ProbePort;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code /explain} of the real agents agrees with the offline evaluator, cell for cell: on a
 * two-node cluster with ingress and egress policies, named ports that resolve differently per
 * pod, a namespace selector and an ipBlock, every ordered pair of pods and every port is asked of
 * both agents. Exactly one agent (the source's node's) must enforce the egress, exactly one (the
 * destination's) the ingress; what they answer (verdict, isolating policies, allowing rules,
 * explanation) must equal the evaluator over the same objects, their kernels must decide the
 * same (iptables: the walk of the rules each enforces ends in a Palisade chain; eBPF: the
 * endpoint, identity and verdict entries, see {@link #compareMaps}), and each must say its
 * kernel holds the model it answered from.
 */
@Tag("kernel")
@Tag(E2eCluster.BOTH_BACKENDS)
class EnforcedExplainAgreementTest {
  private static final String NAME = "enforced-explain";
  private static final List<ProbePort> PORTS = List.of(ProbePort.parse("80/TCP"),
      ProbePort.parse("81/TCP"), ProbePort.parse("81/UDP"), ProbePort.parse("web"));
  private static final ObjectMapper JSON = new ObjectMapper();

  private static DemoBackend cluster;
  private static ClusterState state;

  /** eBPF: the endpoint id of each pod, by node, as the answers gave them. */
  private final Map<String, Map<String, Integer>> endpoints = new HashMap<>();
  /** eBPF: the identity of each remote address, by node, as the answers gave them. */
  private final Map<String, Map<String, Integer>> identities = new HashMap<>();

  @BeforeAll
  static void startCluster() throws URISyntaxException {
    state = new ClusterState(2);
    state.apply(new ManifestLoader().load(List.of(Path.of(EnforcedExplainAgreementTest.class
        .getResource("enforced-explain.yaml").toURI()))));
    cluster = E2eCluster.start(NAME, E2eCluster.standardAgentOptions());
    cluster.converge(state);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void bothAgentsAnswersCombinedEqualTheEvaluatorForEveryPairAndPort() {
    RuleGraph graph = state.graph();
    Evaluator evaluator = new Evaluator(graph);
    List<Pod> pods = graph.pods().stream().filter(Pod::isEndpoint)
        .sorted(Comparator.comparing(pod -> pod.ref().toString())).toList();
    List<Integer> agents = List.of(AgentHealth.port(NAME, 1), AgentHealth.port(NAME, 2));
    List<String> mismatches = new ArrayList<>();
    Set<DirectionVerdict.Outcome> outcomes = EnumSet.noneOf(DirectionVerdict.Outcome.class);
    int cells = 0;
    int allowed = 0;
    for (Pod source : pods) {
      for (Pod destination : pods) {
        for (ProbePort port : PORTS) {
          String cell = source.ref() + " -> " + destination.ref() + " on " + port;
          List<JsonNode> answers = new ArrayList<>();
          for (int agent : agents) {
            answers.add(explain(agent, source.ref(), destination.ref(), port));
          }
          Endpoint from = Endpoint.of(source, IpFamily.V4);
          Endpoint to = Endpoint.of(destination, IpFamily.V4);
          Optional<Traffic> traffic = port.trafficTo(to);
          cells++;
          for (JsonNode answer : answers) {
            same(mismatches, cell + ": served", answer.path("served").asBoolean(),
                traffic.isPresent());
          }
          Optional<Traffic> judged = traffic.isPresent() || port.isNamed() ? traffic
              : Optional.of(Traffic.of(port.protocol(), port.number()));
          if (judged.isEmpty()) {
            answers.forEach(answer -> same(mismatches, cell + ": no verdict",
                answer.has("egress"), false));
            continue;
          }
          Verdict expected = evaluator.verdict(from, to, judged.get());
          allowed += expected.allowed() ? 1 : 0;
          outcomes.add(expected.egress().outcome());
          outcomes.add(expected.ingress().outcome());
          compare(mismatches, cell, answers, "egress", source, expected.egress(),
              !source.equals(destination));
          compare(mismatches, cell, answers, "ingress", destination, expected.ingress(),
              !source.equals(destination));
        }
      }
    }
    assertThat(mismatches).as("cells where the agents and the evaluator differ").isEmpty();
    assertThat(cells).isEqualTo(pods.size() * pods.size() * PORTS.size()).isEqualTo(100);
    assertThat(outcomes).as("the cluster exercises every outcome of a pod's direction")
        .contains(DirectionVerdict.Outcome.ALLOWED, DirectionVerdict.Outcome.DENIED,
            DirectionVerdict.Outcome.NOT_ISOLATED);
    assertThat(allowed).as("allowed and denied cells").isBetween(10, cells - 10);
  }

  /**
   * One direction: the one agent that enforces it (that of {@code pod}'s node) answers as the
   * evaluator, and so does its kernel (pairs of distinct pods: a pod's traffic to itself never
   * crosses a node's chains); the other agent says it is not on its node.
   */
  private void compare(List<String> mismatches, String cell, List<JsonNode> answers,
      String direction, Pod pod, DirectionVerdict expected, boolean walkKernel) {
    String where = cell + ": " + direction;
    List<JsonNode> enforcing = answers.stream()
        .filter(answer -> answer.path(direction).path("enforcedHere").asBoolean()).toList();
    if (enforcing.size() != 1) {
      mismatches.add(where + " is enforced by " + enforcing.size() + " agents");
      return;
    }
    JsonNode answer = enforcing.get(0);
    JsonNode half = answer.path(direction);
    same(mismatches, where + " node", answer.path("node").asText(), pod.nodeName());
    same(mismatches, where + " verdict", half.path("verdict").asText(),
        expected.outcome().name());
    same(mismatches, where + " isolatedBy", texts(half.path("isolatedBy")),
        expected.isolatedBy().stream().map(ObjectRef::toString).toList());
    same(mismatches, where + " allowedBy", texts(half.path("allowedBy")),
        expected.allowedBy().stream().map(RuleRef::toString).toList());
    same(mismatches, where + " explanation", half.path("explanation").asText(),
        expected.explain());
    same(mismatches, where + " inKernel", answer.path("inKernel").asBoolean(), true);
    if (walkKernel) {
      JsonNode kernel = half.path("kernel");
      same(mismatches, where + " kernel allows", kernel.path("allows").asBoolean(),
          expected.allows());
      if (E2eCluster.ebpf()) {
        compareMaps(mismatches, where, answer, direction, pod, expected);
      } else {
        same(mismatches, where + " deciding chain named", kernel.path("chain")
            .asText().startsWith("PALISADE-"), true);
      }
    }
    for (JsonNode other : answers) {
      if (other != answer) {
        same(mismatches, where + " on the other node", other.path(direction).path("note")
            .asText(), "not on this node: " + pod.ref() + " runs on node " + pod.nodeName());
      }
    }
  }

  /**
   * The eBPF side of one direction: the agent says its backend is eBPF; the pod has an endpoint
   * entry, one id on its node, and no other pod has that id there; an isolated direction looks
   * the remote address up (one identity per address on a node) and finds a verdict entry exactly
   * when the evaluator allows; a direction that no policy isolates passes without a lookup.
   */
  private void compareMaps(List<String> mismatches, String where, JsonNode answer,
      String direction, Pod pod, DirectionVerdict expected) {
    JsonNode half = answer.path(direction);
    JsonNode kernel = half.path("kernel");
    String node = answer.path("node").asText();
    same(mismatches, where + " backend", half.path("backend").asText(), "ebpf");
    if (!kernel.path("endpoint").isInt()) {
      mismatches.add(where + ": no endpoint entry: " + kernel);
      return;
    }
    int endpoint = kernel.path("endpoint").asInt();
    Map<String, Integer> ids = endpoints.computeIfAbsent(node, unused -> new HashMap<>());
    Integer known = ids.putIfAbsent(pod.ref().toString(), endpoint);
    if (known != null && known != endpoint) {
      mismatches.add(where + ": endpoint " + endpoint + ", in another answer " + known);
    }
    ids.forEach((other, id) -> {
      if (id == endpoint && !other.equals(pod.ref().toString())) {
        mismatches.add(where + ": endpoint " + endpoint + " is " + other + "'s too");
      }
    });
    same(mismatches, where + " kernel outcome", kernel.path("outcome").asText(),
        expected.allows() ? "PASSED" : "DENIED");
    boolean isolated = expected.outcome() != DirectionVerdict.Outcome.NOT_ISOLATED;
    same(mismatches, where + " identity looked up", kernel.has("identity"), isolated);
    same(mismatches, where + " verdict entry", kernel.has("verdict"),
        isolated && expected.allows());
    if (isolated) {
      String remote = answer.path(direction.equals("egress") ? "to" : "from").path("address")
          .asText();
      int identity = kernel.path("identity").asInt();
      Integer seen = identities.computeIfAbsent(node, unused -> new HashMap<>())
          .putIfAbsent(remote, identity);
      if (seen != null && seen != identity) {
        mismatches.add(where + ": identity " + identity + " of " + remote
            + ", in another answer " + seen);
      }
    }
  }

  private static void same(List<String> mismatches, String what, Object found, Object expected) {
    if (!found.equals(expected)) {
      mismatches.add(what + ": agent " + found + ", evaluator " + expected);
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  private static JsonNode explain(int agentPort, ObjectRef from, ObjectRef to, ProbePort port) {
    HttpResponse<String> response = AgentHealth.get(agentPort, "/explain?from=" + from + "&to="
        + to + "&port=" + URLEncoder.encode(port.toString(), StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }
}
