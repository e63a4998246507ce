package dev.palisade.cli;

import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import dev.palisade.scenario.ProbePort;
import java.util.Optional;

/**
 * Why one connection between two endpoints (pods, or a pod and an address outside the cluster)
 * is allowed or denied, as {@code explain} prints it after the connection and as the html output
 * shows it for every cell: the verdict, then the source's egress and the destination's ingress. A destination that does not serve the port
 * refuses the connection whatever the policies say; for a port number the policies' verdict
 * follows anyway, since it is what would decide once the pod serves the port.
 */
final class ConnectionExplanation {
  private ConnectionExplanation() {}

  static String of(Evaluator evaluator, Endpoint source, Endpoint destination,
      ProbePort port) {
    Optional<Traffic> traffic = port.trafficTo(destination);
    if (traffic.isPresent()) {
      return evaluator.verdict(source, destination, traffic.get()).explain();
    }
    String refused = "DENIED\n  " + destination + " does not serve " + port;
    if (port.isNamed()) {
      return refused;
    }
    String policies = evaluator.verdict(source, destination,
        Traffic.of(port.protocol(), port.number())).explain();
    return refused + "\n  policies: " + policies.replace("\n", "\n  ");
  }
}
