package dev.palisade.dataplane.backend;

import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Protocol;
import java.net.InetAddress;

/**
 * One connection as one direction of a local pod judges it, for {@link Dataplane#explain}.
 *
 * @param pod the local pod whose direction this is (the source for egress, the destination for
 *     ingress)
 * @param port the destination port (0 for ICMP)
 */
public record Lookup(ObjectRef pod, Direction direction, IpFamily family, InetAddress source,
    InetAddress destination, Protocol protocol, int port) {

  /** The other end: the destination of egress, the source of ingress. */
  public InetAddress remote() {
    return direction == Direction.EGRESS ? destination : source;
  }
}
