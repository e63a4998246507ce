package dev.palisade.dataplane.plan;

import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpBlock;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.PortMatcher.NamedPort;
import java.util.Optional;

/**
 * A class of remote ends (or, for ingress named ports, of the node's own pods) that allow rules
 * name: equal classes share their members, in every rule and policy that names them. Each knows
 * which graph changes may change its members, so that a later plan can reuse them.
 */
public sealed interface PeerClass {

  /** Whether {@code delta} may have changed the members. */
  boolean touchedBy(GraphDelta delta);

  /**
   * Whether the members depend on nothing but the class and the pods of the cluster, so that
   * untouched members can be reused by a plan that replans the node's endpoints and policies.
   * The other classes depend on the node's own pods and are recomputed with them.
   */
  boolean followsClusterOnly();

  /** The addresses of the pods a selector matches, wherever they run. */
  record Selected(PeerSelector selector) implements PeerClass {
    @Override
    public boolean touchedBy(GraphDelta delta) {
      return delta.selectors().contains(selector);
    }

    @Override
    public boolean followsClusterOnly() {
      return true;
    }
  }

  /** An ipBlock's ranges, its excepts flagged: fixed by the block itself. */
  record Block(IpBlock block) implements PeerClass {
    @Override
    public boolean touchedBy(GraphDelta delta) {
      return false;
    }

    @Override
    public boolean followsClusterOnly() {
      return true;
    }
  }

  /**
   * An egress named port resolves on the receiving peer pod: (address, port) of each pod of the
   * peer that declares the name. Without a peer, or with an ipBlock peer, every endpoint pod of
   * the cluster is a candidate, so any pod change may touch it.
   */
  record EgressNamedPort(Optional<Peer> peer, NamedPort port) implements PeerClass {
    @Override
    public boolean touchedBy(GraphDelta delta) {
      return peer.filter(PeerSelector.class::isInstance)
          .map(selector -> delta.selectors().contains((PeerSelector) selector))
          .orElse(!delta.pods().isEmpty());
    }

    @Override
    public boolean followsClusterOnly() {
      return true;
    }
  }

  /**
   * An ingress named port resolves on the receiving pod, one of the node's pods the policy
   * selects: (address, port) of each that declares the name. Any change to them comes with a
   * local pod or the policy in the delta, which replans the node.
   */
  record IngressNamedPort(ObjectRef policy, NamedPort port) implements PeerClass {
    @Override
    public boolean touchedBy(GraphDelta delta) {
      return false;
    }

    @Override
    public boolean followsClusterOnly() {
      return false;
    }
  }
}
