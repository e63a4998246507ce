package dev.palisade.agent;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.backend.Dataplane;
import dev.palisade.dataplane.backend.Lookup;
import dev.palisade.http.HealthServer.Answer;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.Direction;
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
import dev.palisade.scenario.EndpointArgument;
import dev.palisade.scenario.ProbePort;
import dev.palisade.scenario.ShownNamespaces;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The agent's {@code /explain?from=NS/POD|IP&to=NS/POD|IP&port=80/TCP[&family=4|6]}: what this
 * node enforces for one connection now. The verdict and its reasons come from the reference
 * evaluator over the agent's live rule graph (the same {@link Evaluator} that {@code palisade
 * explain} runs offline), read under the graph's monitor, as the sync thread leaves it between two
 * take-ins. The kernel's side comes from the state the last successful sync enforced (the
 * compiler's own output, so names are the compiler's, never recomputed), in the dataplane's words
 * ({@link Dataplane#explain}): the iptables backend walks the first packet from this direction's
 * stage chain and names the rule that decided, its chain, whose chain it is and the sets it
 * matches; the eBPF backend names the endpoint, the remote address's identity and the verdict
 * entry that allows the packet, or that none does.
 *
 * <p>A node enforces the egress of its own pods and the ingress of its own pods; a direction whose
 * pod runs elsewhere is reported as not on this node, with the node that enforces it. A direction
 * whose end is not a pod (an address outside the cluster) is the same on every node: no policy
 * applies. {@code inKernel} says whether the kernel holds the state compiled from exactly the
 * model the verdict was read from (the model's per-kind resource versions equal those of the last
 * successful sync); while a change waits for its sync it is false and the two may differ.
 *
 * <p>Answers 400 for a query it cannot read, 404 for a pod the model does not hold.
 */
final class EnforcedExplainer<S> {
  /** What the last successful sync enforced, from the model at these versions. */
  record Enforced<S>(S state, ImmutableSortedMap<String, Long> versions, boolean current) {
    /** After a failed sync: the kernel may hold part of a newer state. */
    Enforced<S> stale() {
      return new Enforced<>(state, versions, false);
    }
  }

  private static final Set<String> PARAMETERS = Set.of("from", "to", "port", "family");
  private static final String USAGE =
      " (e.g. /explain?from=x/a&to=y/b&port=80/TCP; from and to: namespace/pod or an address)";

  private final RuleGraph graph;
  private final String nodeName;
  private final EnforcementTracker tracker;
  private final Supplier<Enforced<S>> enforced;
  private final Dataplane<S> dataplane;

  /**
   * @param enforced what the last successful sync enforced, or null before one
   * @param dataplane what explains the kernel's side
   */
  EnforcedExplainer(RuleGraph graph, String nodeName, EnforcementTracker tracker,
      Supplier<Enforced<S>> enforced, Dataplane<S> dataplane) {
    this.graph = graph;
    this.nodeName = nodeName;
    this.tracker = tracker;
    this.enforced = enforced;
    this.dataplane = dataplane;
  }

  /** What the model says, read in one piece under the graph's monitor. */
  private record Reading(Endpoint source, Endpoint destination, IpFamily family,
      ProbePort port, Optional<Traffic> traffic, Optional<Traffic> judged,
      Optional<Verdict> verdict,
      ImmutableSortedMap<String, Long> modelVersions) {}

  /** Answers one request (called on the health server's query thread). */
  Answer answer(URI request) {
    try {
      Map<String, String> query = query(request.getRawQuery());
      ProbePort port = ProbePort.parse(required(query, "port"));
      EndpointArgument from = new EndpointArgument("from", required(query, "from"));
      EndpointArgument to = new EndpointArgument("to", required(query, "to"));
      IpFamily family = EndpointArgument.family(List.of(from, to), family(query),
          query.containsKey("family"));
      if (port.isNamed() && to.address().isPresent()) {
        return Answer.error(400, "a port name resolves against the destination pod's container "
            + "ports; to an address give a number, e.g. 53/UDP");
      }
      Reading reading;
      synchronized (graph) {
        for (EndpointArgument end : List.of(from, to)) {
          if (end.address().isEmpty() && graph.pod(ObjectRef.parse(end.text())).isEmpty()) {
            return Answer.error(404, end.option() + ": no pod " + end.text() + " in the model "
                + "of node " + nodeName);
          }
        }
        reading = read(from, to, family, port);
      }
      return Answer.of(200, json(reading));
    } catch (InvalidInputException | IllegalArgumentException e) {
      return Answer.error(400, e.getMessage() + USAGE);
    }
  }

  private static IpFamily family(Map<String, String> query) {
    String family = query.getOrDefault("family", "4");
    return switch (family) {
      case "4" -> IpFamily.V4;
      case "6" -> IpFamily.V6;
      default -> throw new IllegalArgumentException("family must be 4 or 6, got '" + family
          + "'");
    };
  }

  private Reading read(EndpointArgument from, EndpointArgument to, IpFamily family,
      ProbePort port) {
    Endpoint source = from.resolve(graph, family, ShownNamespaces.ALL);
    Endpoint destination = to.resolve(graph, family, ShownNamespaces.ALL);
    Optional<Traffic> traffic = port.trafficTo(destination);
    // As explain: a port number the destination does not serve is still judged by the policies.
    Optional<Traffic> judged = traffic.isPresent() || port.isNamed() ? traffic
        : Optional.of(Traffic.of(port.protocol(), port.number()));
    Optional<Verdict> verdict = judged.map(connection ->
        new Evaluator(graph).verdict(source, destination, connection));
    return new Reading(source, destination, family, port, traffic, judged, verdict,
        tracker.modelVersions());
  }

  private Map<String, Object> json(Reading reading) {
    Enforced<S> kernel = enforced.get();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("node", nodeName);
    answer.put("from", end(reading.source()));
    answer.put("to", end(reading.destination()));
    answer.put("port", reading.port().toString());
    answer.put("served", reading.traffic().isPresent());
    reading.traffic().ifPresent(traffic -> answer.put("traffic", traffic.toString()));
    answer.put("modelVersions", reading.modelVersions());
    answer.put("enforcedVersions", kernel == null ? Map.of() : kernel.versions());
    answer.put("inKernel", kernel != null && kernel.current()
        && kernel.versions().equals(reading.modelVersions()));
    reading.verdict().ifPresent(verdict -> {
      answer.put("allowed", verdict.allowed());
      answer.put("egress", direction(verdict.egress(), reading, kernel));
      answer.put("ingress", direction(verdict.ingress(), reading, kernel));
    });
    return answer;
  }

  private Map<String, Object> direction(DirectionVerdict verdict, Reading reading,
      Enforced<S> kernel) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("direction", verdict.direction().title().toLowerCase(Locale.ROOT));
    Endpoint self = verdict.direction() == Direction.EGRESS ? reading.source()
        : reading.destination();
    Optional<Pod> pod = self.endpointPod();
    if (pod.isEmpty()) {
      json.put("enforcedHere", false);
      json.put("verdict", verdict.outcome().name());
      json.put("allows", verdict.allows());
      json.put("explanation", verdict.explain());
      json.put("note", "no node enforces it: " + self + " is not a pod");
      return json;
    }
    json.put("pod", pod.get().ref().toString());
    json.put("podNode", pod.get().nodeName());
    if (!nodeName.equals(pod.get().nodeName())) {
      json.put("enforcedHere", false);
      json.put("note", "not on this node: " + pod.get().ref() + " runs on node "
          + pod.get().nodeName());
      return json;
    }
    json.put("enforcedHere", true);
    json.put("verdict", verdict.outcome().name());
    json.put("allows", verdict.allows());
    json.put("isolatedBy", verdict.isolatedBy().stream().map(ObjectRef::toString).toList());
    json.put("allowedBy", verdict.allowedBy().stream().map(RuleRef::toString).toList());
    json.put("explanation", verdict.explain());
    json.put("kernel", kernel == null ? Map.of("error", "no sync has succeeded yet")
        : dataplane.explain(kernel.state(), lookup(pod.get(), verdict.direction(), reading)));
    json.put("backend", dataplane.name());
    return json;
  }

  private static Lookup lookup(Pod pod, Direction direction, Reading reading) {
    Traffic traffic = reading.judged().orElseThrow();
    return new Lookup(pod.ref(), direction, reading.family(), reading.source().ip(),
        reading.destination().ip(), traffic.protocol(), traffic.port());
  }

  private static Map<String, Object> end(Endpoint end) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("endpoint", end.toString());
    json.put("address", InetAddresses.toAddrString(end.ip()));
    end.endpointPod().ifPresent(pod -> json.put("node", pod.nodeName()));
    return json;
  }

  private static String required(Map<String, String> query, String name) {
    String value = query.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the query parameter '" + name + "' is missing");
    }
    return value;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      throw new IllegalArgumentException("the query parameters from, to and port are missing");
    }
    for (String pair : raw.split("&")) {
      int equals = pair.indexOf('=');
      String name = decode(equals < 0 ? pair : pair.substring(0, equals));
      if (!PARAMETERS.contains(name)) {
        throw new IllegalArgumentException("unknown query parameter '" + name + "'");
      }
      if (query.put(name, equals < 0 ? "" : decode(pair.substring(equals + 1))) != null) {
        throw new IllegalArgumentException("the query parameter '" + name + "' is repeated");
      }
    }
    return query;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
