package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
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
    List<Pod> endpoints = endpoints(graph, family);
    Evaluator evaluator = new Evaluator(graph);
    Map<ObjectRef, ImmutableMap<ObjectRef, Reachability>> cells = new LinkedHashMap<>();
    for (Pod source : endpoints) {
      Map<ObjectRef, Reachability> row = new LinkedHashMap<>();
      for (Pod destination : endpoints) {
        Optional<Traffic> traffic = port.trafficTo(destination);
        boolean allowed = traffic.isPresent() && evaluator.verdict(Endpoint.of(source, family),
            Endpoint.of(destination, family), traffic.get()).allowed();
        row.put(destination.ref(), Reachability.of(allowed));
      }
      cells.put(source.ref(), ImmutableMap.copyOf(row));
    }
    return new Matrix(port, family,
        endpoints.stream().map(Pod::ref).collect(ImmutableList.toImmutableList()),
        ImmutableMap.copyOf(cells));
  }

  /** Pods that take part in a probe of this family: endpoints with an address of it. */
  public static List<Pod> endpoints(RuleGraph graph, IpFamily family) {
    return graph.pods().stream()
        .filter(Pod::isEndpoint)
        .filter(pod -> pod.ip(family).isPresent())
        .sorted(Comparator.comparing(Pod::ref))
        .toList();
  }
}
