package dev.palisade.dataplane.plan;

import com.google.common.collect.ImmutableList;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import java.net.InetAddress;

/**
 * A pod of the node with an address in the plan's family, and per direction the policies that
 * select it and isolate it in that direction, in the graph's order. A direction no policy
 * isolates is open: the plan has nothing to say about its traffic.
 */
public record Endpoint(Pod pod, ImmutableList<ObjectRef> ingressPolicies,
    ImmutableList<ObjectRef> egressPolicies) {

  public ObjectRef ref() {
    return pod.ref();
  }

  public InetAddress address(IpFamily family) {
    return pod.ip(family).orElseThrow();
  }

  public ImmutableList<ObjectRef> isolatedBy(Direction direction) {
    return direction == Direction.INGRESS ? ingressPolicies : egressPolicies;
  }

  public boolean isolated(Direction direction) {
    return !isolatedBy(direction).isEmpty();
  }
}
