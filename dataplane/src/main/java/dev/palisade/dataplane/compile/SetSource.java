package dev.palisade.dataplane.compile;

import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpBlock;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.PortMatcher.NamedPort;
import java.util.Optional;

/**
 * What a set's members are computed from, so that a later compilation can tell whether a graph
 * change touched them ({@link IncrementalNodeCompiler}): sets of remote pods follow the graph's
 * selectors, the others follow only the node's own pods and policies, or nothing at all.
 */
sealed interface SetSource {

  /** Whether {@code delta} may have changed the members. */
  boolean touchedBy(GraphDelta delta);

  /**
   * Whether the members depend on nothing but this source and the pods beyond the node, so an
   * untouched set can be reused as it is by a compilation that recompiles the node's chains.
   */
  boolean followsClusterOnly();

  /** The addresses of the pods a selector matches, wherever they run. */
  record SelectorMembers(PeerSelector selector) implements SetSource {
    @Override
    public boolean touchedBy(GraphDelta delta) {
      return delta.selectors().contains(selector);
    }

    @Override
    public boolean followsClusterOnly() {
      return true;
    }
  }

  /**
   * The (address, port) pairs of the peer's pods that declare a port name; without a peer, or
   * with an ipBlock peer, every endpoint pod of the cluster is a candidate, so any pod change
   * may touch it.
   */
  record EgressNamedPort(Optional<Peer> peer, NamedPort port) implements SetSource {
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

  /** An ipBlock's ranges: fixed by the block itself. */
  record Block(IpBlock block) implements SetSource {
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
   * Sets of the node's own pods (isolation gates, the known local pods, ingress named ports):
   * any change to them comes with a local pod or a policy in the delta, which recompiles the
   * node, so a sets-only update never touches them, and a recompilation always recomputes them.
   */
  record NodeLocal() implements SetSource {
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
