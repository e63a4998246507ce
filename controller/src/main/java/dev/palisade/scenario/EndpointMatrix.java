package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableTable;
import dev.palisade.model.IpFamily;
import dev.palisade.model.eval.Endpoint;

/**
 * Reachability from chosen sources to chosen destinations for one port and family, where an end
 * may be an address outside the cluster (an ipBlock peer's world) as well as a pod: what
 * {@code palisade matrix --from/--to} shows. Unlike {@link Matrix} it need not be square.
 */
public record EndpointMatrix(ProbePort port, IpFamily family, ImmutableList<Endpoint> sources,
    ImmutableList<Endpoint> destinations, ImmutableTable<Endpoint, Endpoint, Reachability> cells) {

  public Reachability get(Endpoint source, Endpoint destination) {
    return cells.get(source, destination);
  }
}
