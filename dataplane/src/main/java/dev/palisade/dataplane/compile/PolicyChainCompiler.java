package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.rules.Action;
import dev.palisade.dataplane.rules.Match;
import dev.palisade.dataplane.rules.Match.Side;
import dev.palisade.dataplane.rules.Rule;
import dev.palisade.model.Direction;
import dev.palisade.model.IpBlock;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.PortMatcher.AnyPort;
import dev.palisade.model.PortMatcher.NamedPort;
import dev.palisade.model.PortMatcher.PortRange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Compiles one policy's rules of one direction into a chain of one family. Every rule becomes
 * one iptables rule per (peer, port) pair that sets the "allowed" mark bit; the pod chain that
 * jumps here returns as soon as the bit is set. Peers are set lookups on the packet's source
 * (ingress) or destination (egress).
 */
final class PolicyChainCompiler {
  private final IpFamily family;
  private final SetCatalog sets;
  private final Action allow;

  PolicyChainCompiler(IpFamily family, SetCatalog sets, int markBit) {
    this.family = family;
    this.sets = sets;
    this.allow = new Action.SetMark(markBit);
  }

  /**
   * The rules of the policy's chain, none when none of its rules can match in this family (a
   * deny-all policy, or rules whose only peers are ipBlocks of the other family).
   *
   * @param selectedLocalPods the local pods the policy selects, on which ingress named ports
   *     resolve
   */
  ImmutableList<Rule> compile(Policy policy, Direction direction,
      Collection<Pod> selectedLocalPods) {
    ImmutableList.Builder<Rule> rules = ImmutableList.builder();
    for (dev.palisade.model.Rule rule : policy.rules(direction)) {
      for (Optional<Peer> peer : peersOf(rule)) {
        for (Optional<PortMatcher> port : portsOf(rule)) {
          rules.add(new Rule(matches(policy, direction, peer, port, selectedLocalPods), allow));
        }
      }
    }
    return rules.build();
  }

  /** "Empty from/to matches all peers": one unconstrained entry; ipBlocks of this family only. */
  private List<Optional<Peer>> peersOf(dev.palisade.model.Rule rule) {
    if (rule.allowsAllPeers()) {
      return List.of(Optional.empty());
    }
    return rule.peers().stream()
        .filter(peer -> !(peer instanceof IpBlock block) || block.family() == family)
        .map(Optional::of).toList();
  }

  /** "Empty ports matches all ports", every protocol included (ICMP too). */
  private static List<Optional<PortMatcher>> portsOf(dev.palisade.model.Rule rule) {
    if (rule.allowsAllPorts()) {
      return List.of(Optional.empty());
    }
    return rule.ports().stream().map(Optional::of).toList();
  }

  private ImmutableList<Match> matches(Policy policy, Direction direction, Optional<Peer> peer,
      Optional<PortMatcher> port, Collection<Pod> selectedLocalPods) {
    Side peerSide = direction == Direction.INGRESS ? Side.SOURCE : Side.DESTINATION;
    List<Match> matches = new ArrayList<>();
    boolean egressNamedPort = direction == Direction.EGRESS
        && port.filter(NamedPort.class::isInstance).isPresent();
    // An egress named-port set holds (peer pod, port) pairs, so it matches the peer as well.
    if (!egressNamedPort) {
      peer.map(p -> peerMatch(p, peerSide)).ifPresent(matches::add);
    }
    port.map(p -> portMatch(policy, direction, peer, p, selectedLocalPods))
        .ifPresent(matches::add);
    return ImmutableList.copyOf(matches);
  }

  private Match peerMatch(Peer peer, Side side) {
    String set = peer instanceof PeerSelector selector ? sets.selector(selector)
        : sets.block((IpBlock) peer);
    return Match.InSet.of(set, side);
  }

  private Match portMatch(Policy policy, Direction direction, Optional<Peer> peer,
      PortMatcher port, Collection<Pod> selectedLocalPods) {
    if (port instanceof AnyPort any) {
      return Match.ProtocolPorts.any(any.protocol());
    }
    if (port instanceof PortRange range) {
      return Match.ProtocolPorts.range(range.protocol(), range.port(), range.endPort());
    }
    NamedPort named = (NamedPort) port;
    String set = direction == Direction.INGRESS
        ? sets.ingressPort(policy, named, selectedLocalPods)
        : sets.egressPort(peer, named);
    return Match.InSet.of(set, Side.DESTINATION, Side.DESTINATION);
  }
}
