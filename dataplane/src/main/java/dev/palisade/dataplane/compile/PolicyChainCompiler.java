package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.plan.AllowRule;
import dev.palisade.dataplane.plan.PeerClass;
import dev.palisade.dataplane.plan.PortMatch;
import dev.palisade.dataplane.rules.Action;
import dev.palisade.dataplane.rules.Match;
import dev.palisade.dataplane.rules.Match.Side;
import dev.palisade.dataplane.rules.Rule;
import dev.palisade.model.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles one policy's allow rules of one direction into a chain of one family. Every allow rule
 * becomes one iptables rule that sets the "allowed" mark bit; the pod chain that jumps here
 * returns as soon as the bit is set. Peers are set lookups on the packet's source (ingress) or
 * destination (egress).
 */
final class PolicyChainCompiler {
  private final SetCatalog sets;
  private final Action allow;

  PolicyChainCompiler(SetCatalog sets, int markBit) {
    this.sets = sets;
    this.allow = new Action.SetMark(markBit);
  }

  /**
   * The rules of the policy's chain; none when none of its rules can match in this family.
   *
   * @param setsUsed gets the sets the rules match on, in the order they are defined
   */
  ImmutableList<Rule> compile(List<AllowRule> allowRules, Direction direction,
      List<String> setsUsed) {
    Side peerSide = direction == Direction.INGRESS ? Side.SOURCE : Side.DESTINATION;
    ImmutableList.Builder<Rule> rules = ImmutableList.builder();
    for (AllowRule allowRule : allowRules) {
      List<Match> matches = new ArrayList<>();
      allowRule.peer().map(peer -> Match.InSet.of(peerSet(peer, setsUsed), peerSide))
          .ifPresent(matches::add);
      allowRule.port().map(port -> portMatch(port, setsUsed)).ifPresent(matches::add);
      rules.add(new Rule(ImmutableList.copyOf(matches), allow));
    }
    return rules.build();
  }

  /**
   * Defines the sets {@link #compile} would match on, in the same order, without rendering
   * rules: for a chain rendered before from the same allow rules.
   */
  void defineSets(List<AllowRule> allowRules, List<String> setsUsed) {
    for (AllowRule allowRule : allowRules) {
      allowRule.peer().ifPresent(peer -> peerSet(peer, setsUsed));
      if (allowRule.port().orElse(null) instanceof PortMatch.Named named) {
        namedPortSet(named, setsUsed);
      }
    }
  }

  private String peerSet(PeerClass peer, List<String> setsUsed) {
    String set = peer instanceof PeerClass.Selected selected ? sets.selector(selected)
        : sets.block((PeerClass.Block) peer);
    setsUsed.add(set);
    return set;
  }

  private Match portMatch(PortMatch port, List<String> setsUsed) {
    if (port instanceof PortMatch.AnyPortOf any) {
      return Match.ProtocolPorts.any(any.protocol());
    }
    if (port instanceof PortMatch.Ports range) {
      return Match.ProtocolPorts.range(range.protocol(), range.first(), range.last());
    }
    // (address, port) pairs of the receiving pods: both are the packet's destination
    return Match.InSet.of(namedPortSet((PortMatch.Named) port, setsUsed), Side.DESTINATION,
        Side.DESTINATION);
  }

  private String namedPortSet(PortMatch.Named port, List<String> setsUsed) {
    PeerClass resolved = port.resolved();
    String set = resolved instanceof PeerClass.IngressNamedPort ingress
        ? sets.ingressPort(ingress) : sets.egressPort((PeerClass.EgressNamedPort) resolved);
    setsUsed.add(set);
    return set;
  }
}
