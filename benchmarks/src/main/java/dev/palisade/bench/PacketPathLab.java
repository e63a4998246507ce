package dev.palisade.bench;

import com.google.common.collect.ImmutableMap;
import dev.palisade.dataplane.kernel.ApplyResult;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.kernel.NetnsCommandRunner;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import dev.palisade.dataplane.kernel.Sleeper;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.Pod;
import java.time.Duration;
import java.util.List;
import jnr.posix.POSIXFactory;

/**
 * A node network namespace programmed by the real {@link KernelWriter}, with a pod namespace
 * for each of a few pods of a (synthetic) cluster, wired with the pod's own address: packets
 * between them cross the node's FORWARD chain as they would on that cluster's node. Needs root;
 * {@link #close} removes the namespaces (and with them the node's chains and sets) and stops
 * every process started in them.
 */
public final class PacketPathLab implements AutoCloseable {
  private final NetnsCluster cluster;
  private final CommandRunner node;
  private final KernelWriter writer;

  private PacketPathLab(NetnsCluster cluster) {
    this.cluster = cluster;
    this.node = new NetnsCommandRunner(new ProcessCommandRunner(Duration.ofMinutes(2)),
        cluster.nodeNamespace(1));
    this.writer = KernelWriter.forMachine(node, POSIXFactory.getNativePOSIX(), Sleeper.system(),
        Installation.DEFAULT);
  }

  /**
   * Builds the node and one pod namespace per pod, keyed by the pod's namespace/name.
   *
   * @param prefix short lowercase prefix of the namespace names (see {@link NetnsCluster})
   */
  public static PacketPathLab start(String prefix, List<Pod> pods) {
    NetnsCluster cluster = NetnsCluster.start(prefix, 1);
    try {
      pods.forEach(pod -> cluster.addPod(pod.ref().toString(), 1, pod.ips()));
      return new PacketPathLab(cluster);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public NetnsCluster cluster() {
    return cluster;
  }

  /** Runs commands in the node's namespace. */
  public CommandRunner node() {
    return node;
  }

  /** The network namespace that plays the pod. */
  public String namespaceOf(Pod pod) {
    return cluster.pod(pod.ref().toString()).namespace();
  }

  /** Programs the node; fails if the writer does. */
  public ApplyResult apply(DesiredState desired) {
    return require(writer.apply(desired));
  }

  /** Removes every Palisade object from the node; fails if the writer does. */
  public ApplyResult cleanup() {
    return require(writer.cleanup());
  }

  /**
   * Turns conntrack on in the node without a Palisade rule, the way kube-proxy does on every
   * node: its rule that drops INVALID packets in FORWARD.
   */
  public void addConntrackOnlyRule() {
    runInNode(conntrackOnlyRule("-A"));
  }

  /** Removes the rule {@link #addConntrackOnlyRule} added. */
  public void removeConntrackOnlyRule() {
    runInNode(conntrackOnlyRule("-D"));
  }

  private static List<String> conntrackOnlyRule(String operation) {
    return List.of("iptables", "-w", operation, "FORWARD", "-m", "conntrack", "--ctstate",
        "INVALID", "-j", "DROP");
  }

  private String runInNode(List<String> argv) {
    CommandResult result = node.run(argv);
    if (!result.succeeded()) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + result.stderr());
    }
    return result.stdout();
  }

  /** The node's rule packet counters (IPv4 filter table). */
  public ImmutableMap<RuleCounters.RuleKey, Long> packetCounters() {
    return RuleCounters.parse(runInNode(List.of("iptables-save", "-c", "-t", "filter")));
  }

  private static ApplyResult require(ApplyResult result) {
    if (!result.succeeded()) {
      throw new IllegalStateException(((ApplyResult.Failed) result).describe());
    }
    return result;
  }

  @Override
  public void close() {
    cluster.close();
  }
}
