package dev.palisade.model.eval;

import com.google.common.collect.ImmutableList;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.IpBlock;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Protocol;
import dev.palisade.model.Rule;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.DirectionVerdict.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The reference evaluator: decides a connection straight from the NetworkPolicy v1 rules,
 * reading only the objects the graph stores (not its incremental indices), so it can serve as
 * the oracle that the graph's indices and the dataplane are checked against.
 */
public final class Evaluator {
  private final RuleGraph graph;

  public Evaluator(RuleGraph graph) {
    this.graph = graph;
  }

  public Verdict verdict(Endpoint source, Endpoint destination, Traffic traffic) {
    return new Verdict(
        decide(Direction.EGRESS, source, destination, traffic),
        decide(Direction.INGRESS, destination, source, traffic));
  }

  /**
   * One direction: {@code self} is the pod whose policies apply (the source for egress, the
   * destination for ingress), {@code peer} the other end.
   */
  private DirectionVerdict decide(Direction direction, Endpoint self, Endpoint peer,
      Traffic traffic) {
    Optional<Pod> selfPod = self.endpointPod();
    if (selfPod.isEmpty()) {
      return new DirectionVerdict(direction, Outcome.NOT_A_POD, null, ImmutableList.of(),
          ImmutableList.of());
    }
    Pod pod = selfPod.get();
    // The named ports of both directions resolve against the pod that receives the traffic:
    // for ingress the selected pod, for egress the peer.
    Optional<Pod> receiver = direction == Direction.INGRESS ? selfPod : peer.endpointPod();
    List<ObjectRef> isolatedBy = new ArrayList<>();
    List<RuleRef> allowedBy = new ArrayList<>();
    for (Policy policy : selectingPolicies(pod)) {
      if (!policy.isolates(direction)) {
        continue;
      }
      isolatedBy.add(policy.ref());
      List<Rule> rules = policy.rules(direction);
      for (int index = 0; index < rules.size(); index++) {
        Rule rule = rules.get(index);
        if (peerMatches(rule, policy, peer) && portMatches(rule, traffic, receiver)) {
          allowedBy.add(new RuleRef(policy.ref(), direction, index));
        }
      }
    }
    Outcome outcome = isolatedBy.isEmpty() ? Outcome.NOT_ISOLATED
        : allowedBy.isEmpty() ? Outcome.DENIED : Outcome.ALLOWED;
    return new DirectionVerdict(direction, outcome, pod.ref(), ImmutableList.copyOf(isolatedBy),
        ImmutableList.copyOf(allowedBy));
  }

  /** Policies of the pod's namespace whose podSelector matches it. */
  private List<Policy> selectingPolicies(Pod pod) {
    return graph.policies().stream()
        .filter(policy -> policy.ref().namespace().equals(pod.ref().namespace()))
        .filter(policy -> policy.podSelector().matches(pod.labels()))
        .toList();
  }

  /** An empty peer list matches every peer; otherwise the peers are alternatives (OR). */
  private boolean peerMatches(Rule rule, Policy policy, Endpoint peer) {
    if (rule.allowsAllPeers()) {
      return true;
    }
    for (Peer candidate : rule.peers()) {
      if (candidate instanceof IpBlock block && block.contains(peer.ip())) {
        return true;
      }
      if (candidate instanceof PeerSelector selector && peer.endpointPod().isPresent()) {
        Pod peerPod = peer.endpointPod().get();
        if (selector.matches(graph.namespaceOrBare(peerPod.ref().namespace()), peerPod)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * An empty port list matches all traffic, ICMP included; a list of ports matches only those
   * ports, so never ICMP.
   */
  private static boolean portMatches(Rule rule, Traffic traffic, Optional<Pod> receiver) {
    if (rule.allowsAllPorts()) {
      return true;
    }
    if (traffic.protocol() == Protocol.ICMP) {
      return false;
    }
    List<ContainerPort> receiverPorts = receiver.map(Pod::ports).orElse(ImmutableList.of());
    for (PortMatcher matcher : rule.ports()) {
      if (matcher.matches(traffic.protocol(), traffic.port(), receiverPorts)) {
        return true;
      }
    }
    return false;
  }
}
