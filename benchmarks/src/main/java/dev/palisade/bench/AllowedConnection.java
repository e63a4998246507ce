package dev.palisade.bench;

import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.DirectionVerdict;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import dev.palisade.model.eval.Verdict;
import java.util.Comparator;
import java.util.List;

/**
 * A TCP connection between two pods of one node that the cluster's policies allow, and that a
 * policy has to allow: the server is isolated for ingress, so its first packet walks the
 * server's pod chain and its policies' chains. Of the candidates, the server selected by the
 * most policies is taken (ties: by name), so the packet walks as many policy chains as this
 * node offers.
 */
public record AllowedConnection(Pod client, Pod server, int port, int serverPolicies) {

  /** @throws IllegalStateException if the node has no such pair */
  public static AllowedConnection find(RuleGraph graph, String node) {
    Evaluator evaluator = new Evaluator(graph);
    List<Pod> local = graph.endpointsOnNode(node).stream()
        .sorted(Comparator.comparing(Pod::ref)).toList();
    List<Pod> servers = local.stream()
        .filter(pod -> graph.isIsolated(pod.ref(), Direction.INGRESS))
        .sorted(Comparator.comparing((Pod pod) -> -graph.policiesSelecting(pod.ref()).size())
            .thenComparing(Pod::ref))
        .toList();
    for (Pod server : servers) {
      for (ContainerPort port : server.ports()) {
        if (port.protocol() != Protocol.TCP) {
          continue;
        }
        for (Pod client : local) {
          if (!client.equals(server) && allowedByPolicy(evaluator, client, server, port.port())) {
            return new AllowedConnection(client, server, port.port(),
                graph.policiesSelecting(server.ref()).size());
          }
        }
      }
    }
    throw new IllegalStateException("no two pods of " + node
        + " have a TCP connection that an ingress policy allows");
  }

  private static boolean allowedByPolicy(Evaluator evaluator, Pod client, Pod server, int port) {
    Verdict verdict = evaluator.verdict(Endpoint.of(client, IpFamily.V4),
        Endpoint.of(server, IpFamily.V4), Traffic.of(Protocol.TCP, port));
    return verdict.allowed()
        && verdict.ingress().outcome() == DirectionVerdict.Outcome.ALLOWED;
  }

  @Override
  public String toString() {
    return client.ref() + " -> " + server.ref() + " TCP " + port + " (the server is selected by "
        + serverPolicies + " policies)";
  }
}
