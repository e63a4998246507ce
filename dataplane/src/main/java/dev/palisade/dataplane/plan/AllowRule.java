package dev.palisade.dataplane.plan;

import java.util.Optional;

/**
 * One (peer, port) pair of a policy rule: traffic from (ingress) or to (egress) a member of
 * {@code peer} on {@code port} is allowed. No peer is every peer; no port is every port of every
 * protocol, ICMP included.
 */
public record AllowRule(Optional<PeerClass> peer, Optional<PortMatch> port) {}
