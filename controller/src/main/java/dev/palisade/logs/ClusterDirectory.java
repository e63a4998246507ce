package dev.palisade.logs;

import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/** What the cluster holds now, as far as naming a denied packet's endpoints needs it. */
public interface ClusterDirectory {
  /** The endpoint pod that holds {@code address}, if any. */
  Optional<Pod> podAt(InetAddress address);

  /** The NetworkPolicies of one namespace (a refused one as its fail-closed stand-in). */
  List<Policy> policiesIn(String namespace);

  /**
   * The policies that select {@code pod} and isolate it in {@code direction}, sorted: when
   * its chain denied a packet, none of them allowed it.
   */
  default List<ObjectRef> isolating(Pod pod, Direction direction) {
    return policiesIn(pod.ref().namespace()).stream()
        .filter(policy -> policy.isolates(direction)
            && policy.podSelector().matches(pod.labels()))
        .map(Policy::ref)
        .sorted()
        .toList();
  }
}
