package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.rules.Action;
import dev.palisade.dataplane.rules.Action.RejectWith;
import dev.palisade.dataplane.rules.Match;
import dev.palisade.dataplane.rules.Rule;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Protocol;

/**
 * The end of a pod chain, reached when no policy allowed the packet: an optional rate-limited
 * NFLOG naming the pod, then DROP, or REJECT with a TCP reset for TCP and an ICMP port
 * unreachable for everything else.
 */
final class DenyRules {
  private DenyRules() {}

  static ImmutableList<Rule> of(DataplaneSettings settings, IpFamily family, Direction direction,
      ObjectRef pod) {
    return of(settings, family, DenyLogPrefix.of(direction, pod));
  }

  /** The same end for traffic of a pod not known yet (fail closed): the log names that. */
  static ImmutableList<Rule> forUnknownPods(DataplaneSettings settings, IpFamily family) {
    return of(settings, family, DenyLogPrefix.UNKNOWN_POD);
  }

  private static ImmutableList<Rule> of(DataplaneSettings settings, IpFamily family,
      String logPrefix) {
    ImmutableList.Builder<Rule> rules = ImmutableList.builder();
    settings.denyLog().ifPresent(log -> rules.add(Rule.of(new Action.Nflog(log.group(),
        logPrefix, new Match.Limit(log.perSecond(), log.burst())))));
    if (settings.denyAction() == DenyAction.DROP) {
      rules.add(Rule.of(new Action.Drop()));
    } else {
      rules.add(Rule.of(new Action.Reject(RejectWith.TCP_RESET),
          Match.ProtocolPorts.any(Protocol.TCP)));
      rules.add(Rule.of(new Action.Reject(family == IpFamily.V4
          ? RejectWith.ICMP_PORT_UNREACHABLE : RejectWith.ICMP6_PORT_UNREACHABLE)));
    }
    return rules.build();
  }
}
