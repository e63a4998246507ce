package dev.palisade.scenario;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the scheduler and the CNI plugin would decide for a new pod of the simulated cluster:
 * pods that name no node are spread over the nodes in turn (in the order they are created), and
 * a pod without an address gets the lowest free one of its node's pod CIDR: node {@code node-N}
 * owns {@code 10.244.N.0/24}, from {@code .10} on. Only IPv4 is assigned; dual-stack pods list
 * their addresses themselves. Nodes named outside {@code node-1..node-N} (manifests from a real
 * cluster) get the next free CIDR index when first seen. Not thread-safe.
 */
public final class PodPlacement {
  private static final int FIRST_HOST = 10;
  private static final int LAST_HOST = 254;

  private final List<String> nodes = new ArrayList<>();
  private final int spreadOver;
  private int nextNode;

  public PodPlacement(int nodeCount) {
    for (int n = 1; n <= nodeCount; n++) {
      nodes.add(nodeName(n));
    }
    this.spreadOver = nodeCount;
  }

  public static String nodeName(int number) {
    return "node-" + number;
  }

  /** The IPv4 pod CIDR of {@code node-N}, from which new pods of that node get addresses. */
  public static String podCidr(int number) {
    return "10.244." + number + ".0/24";
  }

  /**
   * The number N of {@code node-N}.
   *
   * @throws IllegalArgumentException for another shape of name
   */
  public static int nodeNumber(String nodeName) {
    if (nodeName == null || !nodeName.matches("node-[1-9][0-9]*")) {
      throw new IllegalArgumentException("'" + nodeName + "' is not a node of a scenario "
          + "cluster (node-1 ... node-N)");
    }
    return Integer.parseInt(nodeName.substring("node-".length()));
  }

  /** The node for the next pod that names none: node-1, node-2, ..., node-1, ... */
  public String nextNode() {
    String node = nodes.get(nextNode);
    nextNode = (nextNode + 1) % spreadOver;
    return node;
  }

  /**
   * The lowest address of the node's pod CIDR that is not in {@code used}, or empty when the
   * CIDR is full.
   */
  public Optional<InetAddress> freeAddress(String node, Set<InetAddress> used) {
    int index = nodes.indexOf(node);
    if (index < 0) {
      nodes.add(node);
      index = nodes.size() - 1;
    }
    int cidrIndex = index + 1;
    if (cidrIndex > 255) {
      return Optional.empty();
    }
    for (int host = FIRST_HOST; host <= LAST_HOST; host++) {
      InetAddress candidate = InetAddresses.forString("10.244." + cidrIndex + "." + host);
      if (!used.contains(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
