package dev.palisade.e2e;

import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.DemoTestAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a node's kernel holds of Palisade, read from outside the agent, whichever backend the
 * cluster runs: {@link NodeKernel} (chains, jumps, sets) or {@link NodeBpf} (pins, links, map
 * entries, the conntrack rule).
 */
interface NodeDataplane {
  /** The node's network namespace. */
  String namespace();

  /**
   * Every object the installation owns on the node, one line each, in a stable order: equal
   * before a damage and after its repair.
   */
  List<String> palisadeObjects();

  /** Packet counters that only grow while their objects exist, by name. */
  Map<String, Long> packetCounters();

  /** One per node of the cluster, in node order, for the cluster's backend. */
  static List<NodeDataplane> of(DemoBackend cluster) {
    List<NodeDataplane> nodes = new ArrayList<>();
    for (int node = 1; node <= DemoTestAccess.lab(cluster).nodeCount(); node++) {
      nodes.add(E2eCluster.ebpf() ? new NodeBpf(cluster, node)
          : new NodeKernel(DemoTestAccess.lab(cluster), node));
    }
    return nodes;
  }
}
