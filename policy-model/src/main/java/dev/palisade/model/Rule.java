package dev.palisade.model;

import com.google.common.collect.ImmutableList;

/**
 * One ingress or egress rule. "If this field is empty or missing, this rule matches all sources
 * (traffic not restricted by source)" and likewise for destinations and ports: an empty
 * {@code peers} list means every peer, an empty {@code ports} list every port and protocol,
 * ICMP included.
 */
public record Rule(ImmutableList<Peer> peers, ImmutableList<PortMatcher> ports) {

  public static final Rule ALLOW_ALL = new Rule(ImmutableList.of(), ImmutableList.of());

  public Rule {
    peers = ImmutableList.copyOf(peers);
    ports = ImmutableList.copyOf(ports);
  }

  public boolean allowsAllPeers() {
    return peers.isEmpty();
  }

  public boolean allowsAllPorts() {
    return ports.isEmpty();
  }
}
