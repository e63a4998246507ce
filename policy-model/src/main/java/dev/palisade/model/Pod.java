package dev.palisade.model;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;

/**
 * What the policy engine needs to know of a pod. {@code ips} holds at most one address per
 * family, the first one being {@code status.podIP}; {@code nodeName} may be null for a pod
 * that is not scheduled yet.
 */
public record Pod(
    ObjectRef ref,
    ImmutableSortedMap<String, String> labels,
    ImmutableList<InetAddress> ips,
    String nodeName,
    ImmutableList<ContainerPort> ports,
    PodPhase phase,
    boolean hostNetwork) {

  public Pod {
    labels = ImmutableSortedMap.copyOf(labels);
    ips = ImmutableList.copyOf(ips);
    ports = ImmutableList.copyOf(ports);
  }

  /**
   * Pods without an IP, host-network pods and terminated pods are not endpoints: no policy
   * selects them and no peer set contains their address (DESIGN.md section 3, item 10).
   */
  public boolean isEndpoint() {
    return !ips.isEmpty() && !hostNetwork && !phase.isTerminated();
  }

  /**
   * Scheduled on a node and waiting for its address: it becomes an endpoint when the address
   * comes (a kubelet writes the pod with its node first, its address once the sandbox runs).
   */
  public boolean awaitsAddress() {
    return ips.isEmpty() && nodeName != null && !hostNetwork && !phase.isTerminated();
  }

  /**
   * A loop, not a stream: the node planner asks this of every member of a class whose members
   * changed, 10,000 at a time, and the stream objects were most of the sync thread's garbage.
   */
  public Optional<InetAddress> ip(IpFamily family) {
    for (InetAddress ip : ips) {
      if (IpFamily.of(ip) == family) {
        return Optional.of(ip);
      }
    }
    return Optional.empty();
  }

  public Pod withLabels(Map<String, String> newLabels) {
    return new Pod(ref, ImmutableSortedMap.copyOf(newLabels), ips, nodeName, ports, phase,
        hostNetwork);
  }

  public Pod withPhase(PodPhase newPhase) {
    return new Pod(ref, labels, ips, nodeName, ports, newPhase, hostNetwork);
  }
}
