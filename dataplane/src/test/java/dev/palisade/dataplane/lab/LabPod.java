package dev.palisade.dataplane.lab;

import dev.palisade.model.IpFamily;
import java.net.InetAddress;

/**
 * A pod of the lab: its own network namespace, wired to the node namespace by a veth
 * ({@code eth0} inside the pod, {@code nodeInterface} on the node side).
 */
public record LabPod(String name, String namespace, InetAddress v4, InetAddress v6,
    String nodeInterface) {

  public InetAddress address(IpFamily family) {
    return family == IpFamily.V4 ? v4 : v6;
  }
}
