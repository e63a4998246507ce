package dev.palisade.dataplane.lab;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.NetnsCommandRunner;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel tests' lab: one node namespace with 2-3 pod namespaces, built on
 * {@link NetnsCluster}. Pods have {@code 10.99.1.(10+i)} and {@code fd00:99::(10+i)}. Names start
 * with {@code paltest-dk<pid>-}, so a later run sweeps what a crashed JVM left.
 */
public final class NetnsLab implements AutoCloseable {
  private static final String PREFIX = "paltest-dk";

  private final NetnsCluster cluster;
  private final List<LabPod> pods = new ArrayList<>();

  private NetnsLab(NetnsCluster cluster) {
    this.cluster = cluster;
  }

  /** Builds a lab with {@code podCount} pods; fails (never skips) without root or tools. */
  public static NetnsLab start(int podCount) {
    NetnsLab lab = new NetnsLab(NetnsCluster.start(PREFIX, 1));
    try {
      for (int i = 1; i <= podCount; i++) {
        String name = "p" + i;
        LabPod pod = new LabPod(name, null,
            InetAddresses.forString("10.99.1." + (10 + i)),
            InetAddresses.forString("fd00:99::" + (10 + i)), null);
        NetnsCluster.LabPod wired = lab.cluster.addPod(name, 1, List.of(pod.v4(), pod.v6()));
        lab.pods.add(new LabPod(name, wired.namespace(), pod.v4(), pod.v6(),
            wired.nodeInterface()));
      }
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  /**
   * Wires pod {@code index} anew with the same addresses: its namespace and veth are deleted and
   * a new pair is made, whose node end has another name (as a CNI does for a new pod that reuses
   * the addresses, or for a re-created sandbox). Its servers are gone; the pod replaces the old
   * one in {@link #pods()}.
   */
  public LabPod rewire(int index) {
    LabPod old = pods.get(index);
    cluster.removePod(old.name());
    NetnsCluster.LabPod wired = cluster.addPod(old.name(), 1, List.of(old.v4(), old.v6()));
    LabPod pod = new LabPod(old.name(), wired.namespace(), old.v4(), old.v6(),
        wired.nodeInterface());
    pods.set(index, pod);
    return pod;
  }

  public String node() {
    return cluster.nodeNamespace(1);
  }

  public List<LabPod> pods() {
    return List.copyOf(pods);
  }

  public LabPod pod(int index) {
    return pods.get(index);
  }

  /** The node's own address (see {@link NetnsCluster#nodeAddress}). */
  public InetAddress nodeAddress(IpFamily family) {
    return cluster.nodeAddress(1, family);
  }

  /** Runs commands inside the node namespace: hand this to the writer. */
  public CommandRunner nodeRunner() {
    return new NetnsCommandRunner(new Shell().runner(), node());
  }

  /** Runs a command in the node namespace that must succeed; returns its stdout. */
  public String inNode(String... argv) {
    return cluster.inNamespace(node(), argv);
  }

  /** Starts TCP and UDP echo servers on {@code port} in the pod (both families). */
  public void serve(LabPod pod, int port) {
    cluster.serve(pod.name(), Protocol.TCP, port);
    cluster.serve(pod.name(), Protocol.UDP, port);
  }

  public boolean tcpReaches(LabPod from, LabPod to, int port, IpFamily family) {
    return cluster.reaches(from.name(), to.address(family), Protocol.TCP, port);
  }

  public boolean udpReaches(LabPod from, LabPod to, int port, IpFamily family) {
    return cluster.reaches(from.name(), to.address(family), Protocol.UDP, port);
  }

  @Override
  public void close() {
    cluster.close();
  }

  /** The ipsets the machine's root namespace holds: read only, to prove sets are per netns. */
  public static List<String> rootNamespaceSetNames() {
    return new Shell().run("ipset", "list", "-n").lines().toList();
  }
}
