package dev.palisade.dataplane.plan;

import dev.palisade.model.Protocol;

/** What an allow rule asks of the destination port; no match at all is every protocol. */
public sealed interface PortMatch {

  /** Every port of one protocol. */
  record AnyPortOf(Protocol protocol) implements PortMatch {}

  /** The inclusive range {@code first..last} of one protocol. */
  record Ports(Protocol protocol, int first, int last) implements PortMatch {}

  /**
   * A port name, resolved per receiving pod: the members of {@code resolved} (an {@link
   * PeerClass.IngressNamedPort} or {@link PeerClass.EgressNamedPort}) are the (address, port)
   * pairs it allows; an egress one also stands for the rule's peer.
   */
  record Named(PeerClass resolved) implements PortMatch {}
}
