package dev.palisade.model.eval;

import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import java.net.InetAddress;
import java.util.Optional;

/**
 * One end of a connection: an address, and the pod that holds it when it is a pod. An endpoint
 * without a pod is outside the cluster's pod network (only ipBlock peers can match it).
 */
public record Endpoint(InetAddress ip, Optional<Pod> pod) {

  /**
   * A pod's end of a connection in one family.
   *
   * @throws IllegalArgumentException if the pod has no address of that family
   */
  public static Endpoint of(Pod pod, IpFamily family) {
    InetAddress ip = pod.ip(family).orElseThrow(() -> new IllegalArgumentException(
        "pod " + pod.ref() + " has no IPv" + family.number() + " address"));
    return new Endpoint(ip, Optional.of(pod));
  }

  /** The pod when it is an endpoint pod (has an IP, not hostNetwork, not terminated). */
  public Optional<Pod> endpointPod() {
    return pod.filter(Pod::isEndpoint);
  }

  @Override
  public String toString() {
    return pod.map(p -> p.ref().toString()).orElse(ip.getHostAddress());
  }
}
