package dev.palisade.agent;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.compile.StableNames;
import dev.palisade.dataplane.state.ChainOwner;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.walk.PacketWalker;
import dev.palisade.dataplane.walk.PacketWalker.Packet;
import dev.palisade.dataplane.walk.PacketWalker.Step;
import dev.palisade.dataplane.walk.PacketWalker.Trace;
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
import java.util.EnumMap;
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
 * compiler's own output, so chain and set names are the compiler's, never recomputed): the first
 * packet of the connection is walked ({@link PacketWalker}) from this direction's stage chain, and
 * the rule that decided is named with its chain, the pod or policy the chain stands for, and the
 * sets it matches.
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
final class EnforcedExplainer {
  /** What the last successful sync enforced, from the model at these versions. */
  record Enforced(DesiredState state, ImmutableSortedMap<String, Long> versions,
      boolean current) {
    /** After a failed sync: the kernel may hold part of a newer state. */
    Enforced stale() {
      return new Enforced(state, versions, false);
    }
  }

  private static final Set<String> PARAMETERS = Set.of("from", "to", "port", "family");
  private static final String USAGE =
      " (e.g. /explain?from=x/a&to=y/b&port=80/TCP; from and to: namespace/pod or an address)";

  private final RuleGraph graph;
  private final String nodeName;
  private final EnforcementTracker tracker;
  private final Supplier<Enforced> enforced;
  private final StableNames names;
  /** Walkers of the last state explained, per family: parsing the rules once per state. */
  private Walkers walkers;

  private record Walkers(DesiredState state, Map<IpFamily, PacketWalker> byFamily) {}

  /**
   * @param enforced what the last successful sync enforced, or null before one
   * @param names the names the node's compiler gives (its installation's): the stage chains
   */
  EnforcedExplainer(RuleGraph graph, String nodeName, EnforcementTracker tracker,
      Supplier<Enforced> enforced, StableNames names) {
    this.graph = graph;
    this.nodeName = nodeName;
    this.tracker = tracker;
    this.enforced = enforced;
    this.names = names;
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
    Enforced kernel = enforced.get();
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
      Enforced kernel) {
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
        : walk(kernel.state(), verdict.direction(), reading, reading.judged().orElseThrow()));
    return json;
  }

  /** The kernel's decision for one direction: the walk from that direction's stage chain. */
  private Map<String, Object> walk(DesiredState state, Direction direction, Reading reading,
      Traffic traffic) {
    Map<String, Object> json = new LinkedHashMap<>();
    FamilyState family = state.family(reading.family());
    Trace trace;
    try {
      trace = walker(state, reading.family()).traceChain(names.stageChain(direction),
          new Packet(reading.source().ip(), reading.destination().ip(), traffic.protocol(),
              traffic.port()));
    } catch (IllegalArgumentException | IllegalStateException e) {
      json.put("error", "cannot walk the enforced rules: " + e.getMessage());
      return json;
    }
    json.put("outcome", trace.outcome().name());
    json.put("allows", trace.outcome() == PacketWalker.Outcome.PASSED);
    deciding(trace, family).ifPresent(step -> {
      json.put("chain", step.chain());
      Optional.ofNullable(family.owners().get(step.chain())).ifPresent(owner ->
          json.put("chainOf", owner(owner)));
      json.put("rule", step.rule());
      json.put("sets", PacketWalker.setsOf(step.rule()));
    });
    return json;
  }

  /**
   * The rule that decided: the first rule of a policy chain that matched (a policy that allows
   * the connection marks it there), else the last rule that matched (the stage chain's return of
   * a pod that is not isolated, or the pod chain's drop).
   */
  private static Optional<Step> deciding(Trace trace, FamilyState family) {
    Optional<Step> allowing = trace.steps().stream().filter(Step::matched)
        .filter(step -> Optional.ofNullable(family.owners().get(step.chain()))
            .map(owner -> owner.kind() == ChainOwner.Kind.POLICY).orElse(false))
        .findFirst();
    if (allowing.isPresent()) {
      return allowing;
    }
    return trace.steps().stream().filter(Step::matched).reduce((first, second) -> second);
  }

  private static String owner(ChainOwner owner) {
    return owner.kind().name().toLowerCase(Locale.ROOT) + " " + owner.ref() + " "
        + owner.direction().title().toLowerCase(Locale.ROOT);
  }

  private synchronized PacketWalker walker(DesiredState state, IpFamily family) {
    if (walkers == null || walkers.state() != state) {
      walkers = new Walkers(state, new EnumMap<>(IpFamily.class));
    }
    return walkers.byFamily().computeIfAbsent(family,
        f -> new PacketWalker(state.family(f)));
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
