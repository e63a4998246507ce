package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableTable;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Computes a {@link Matrix} with the reference evaluator: the offline answer to "which pod can
 * reach which". A destination that does not serve the probed port refuses the connection
 * whatever the policies say, so that cell is denied, as a real probe would find it.
 */
public final class MatrixEvaluator {
  private MatrixEvaluator() {}

  public static Matrix observe(RuleGraph graph, ProbePort port, IpFamily family) {
    return observe(graph, port, family, ShownNamespaces.ALL);
  }

  /** The matrix of the endpoint pods that {@code shown} shows, judged against the whole graph. */
  public static Matrix observe(RuleGraph graph, ProbePort port, IpFamily family,
      ShownNamespaces shown) {
    List<Pod> endpoints = endpoints(graph, family, shown);
    Evaluator evaluator = new Evaluator(graph);
    Map<ObjectRef, ImmutableMap<ObjectRef, Reachability>> cells = new LinkedHashMap<>();
    for (Pod source : endpoints) {
      Map<ObjectRef, Reachability> row = new LinkedHashMap<>();
      for (Pod destination : endpoints) {
        row.put(destination.ref(), reach(evaluator, port, Endpoint.of(source, family),
            Endpoint.of(destination, family)));
      }
      cells.put(source.ref(), ImmutableMap.copyOf(row));
    }
    return new Matrix(port, family,
        endpoints.stream().map(Pod::ref).collect(ImmutableList.toImmutableList()),
        ImmutableMap.copyOf(cells));
  }

  /**
   * The matrix between chosen ends, any of which may be an address outside the cluster: such an
   * end is never isolated itself, only the ipBlocks of the pods' policies can match it.
   */
  public static EndpointMatrix observe(RuleGraph graph, ProbePort port, IpFamily family,
      List<Endpoint> sources, List<Endpoint> destinations) {
    Evaluator evaluator = new Evaluator(graph);
    ImmutableTable.Builder<Endpoint, Endpoint, Reachability> cells = ImmutableTable.builder();
    for (Endpoint source : sources) {
      for (Endpoint destination : destinations) {
        cells.put(source, destination, reach(evaluator, port, source, destination));
      }
    }
    return new EndpointMatrix(port, family, ImmutableList.copyOf(sources),
        ImmutableList.copyOf(destinations), cells.buildOrThrow());
  }

  private static Reachability reach(Evaluator evaluator, ProbePort port, Endpoint source,
      Endpoint destination) {
    Optional<Traffic> traffic = port.trafficTo(destination);
    return Reachability.of(traffic.isPresent()
        && evaluator.verdict(source, destination, traffic.get()).allowed());
  }

  /** Pods that take part in a probe of this family: endpoints with an address of it. */
  public static List<Pod> endpoints(RuleGraph graph, IpFamily family) {
    return endpoints(graph, family, ShownNamespaces.ALL);
  }

  /** The endpoints with an address of the family in the namespaces shown, in name order. */
  public static List<Pod> endpoints(RuleGraph graph, IpFamily family, ShownNamespaces shown) {
    return graph.pods().stream()
        .filter(Pod::isEndpoint)
        .filter(pod -> pod.ip(family).isPresent())
        .filter(pod -> shown.shows(pod.ref()))
        .sorted(Comparator.comparing(Pod::ref))
        .toList();
  }
}
