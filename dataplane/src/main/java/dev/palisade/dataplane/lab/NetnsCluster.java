package dev.palisade.dataplane.lab;

import com.google.common.collect.Lists;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.posix.POSIXFactory;

/**
 * A cluster-shaped network built from Linux network namespaces (DESIGN.md section 5): N node
 * namespaces joined by an underlay (a bridge in its own namespace), and pod namespaces wired to
 * their node by a veth. A pod's default route goes via 169.254.1.1 (on the node's lo, with proxy
 * ARP on the node's end of the veth) and fe80::1; every node routes each pod address to the
 * pod's veth or to the pod's node over the underlay. Nothing is connected to the root
 * namespace, so no packet of the cluster can leave it.
 *
 * <p>Names: {@code <prefix><pid>-<random>-n<i>} for node i, {@code -u} for the underlay,
 * {@code -p<k>} for pods. The pid lets a later run sweep namespaces of a crashed run
 * ({@link #sweepLeftovers}) without touching those of live runs. {@link #close} stops the
 * servers by pid and deletes the namespaces; a shutdown hook does the same if the JVM exits
 * first.
 *
 * <p>Threading: building (start, addPod, removePod) is single-threaded; probes may run in
 * parallel.
 */
public final class NetnsCluster implements AutoCloseable {
  private static final String GATEWAY_V4 = "169.254.1.1";
  private static final String GATEWAY_V6 = "fe80::1";

  /** A pod as the lab wired it. */
  public record LabPod(String key, String namespace, int node, String nodeInterface,
      List<InetAddress> addresses) {}

  private final Shell shell = new Shell();
  private final String base;
  private final int nodeCount;
  private final List<String> namespaces = new ArrayList<>();
  private final Map<String, LabPod> pods = new LinkedHashMap<>();
  private final EchoServers servers = new EchoServers();
  private final Probes probes = new Probes(shell.runner());
  private final Thread shutdownHook = new Thread(this::destroy, "netns-cluster-cleanup");
  private int podSequence;

  private NetnsCluster(String base, int nodeCount) {
    this.base = base;
    this.nodeCount = nodeCount;
  }

  /**
   * Builds the nodes and the underlay; fails (never skips) without root or tools.
   *
   * @param prefix short lowercase prefix of every namespace name, e.g. {@code paldemo}
   */
  public static NetnsCluster start(String prefix, int nodeCount) {
    if (nodeCount < 1 || nodeCount > 9) {
      throw new IllegalArgumentException("a lab cluster has 1 to 9 nodes, not " + nodeCount);
    }
    requireRootAndTools();
    sweepLeftovers(prefix);
    String base = prefix + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 4);
    NetnsCluster cluster = new NetnsCluster(base, nodeCount);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.build();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void build() {
    String underlay = base + "-u";
    addNamespace(underlay);
    shell.run("ip", "-n", underlay, "link", "add", "br0", "type", "bridge");
    shell.run("ip", "-n", underlay, "link", "set", "br0", "up");
    for (int node = 1; node <= nodeCount; node++) {
      String ns = nodeNamespace(node);
      addNamespace(ns);
      shell.run("ip", "-n", ns, "addr", "add", GATEWAY_V4 + "/32", "dev", "lo");
      inNamespace(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
      inNamespace(ns, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
      shell.run("ip", "-n", ns, "link", "add", "ul", "type", "veth", "peer", "name", "n" + node,
          "netns", underlay);
      shell.run("ip", "-n", underlay, "link", "set", "n" + node, "master", "br0", "up");
      shell.run("ip", "-n", ns, "addr", "add", underlayAddress(node, IpFamily.V4) + "/24", "dev",
          "ul");
      shell.run("ip", "-n", ns, "addr", "add", underlayAddress(node, IpFamily.V6) + "/64", "dev",
          "ul", "nodad");
      shell.run("ip", "-n", ns, "link", "set", "ul", "up");
    }
  }

  private static String underlayAddress(int node, IpFamily family) {
    return family == IpFamily.V4 ? "10.250.0." + node : "fd00:250::" + node;
  }

  /**
   * The address node {@code node}'s own packets to its pods come from, and where its pods reach
   * it: the pods' IPv4 gateway (the pod-side veths have no IPv4 address, so the kernel picks lo's
   * for them; a UDP server's answer carries it too) and the underlay's IPv6 address.
   */
  public InetAddress nodeAddress(int node, IpFamily family) {
    nodeNamespace(node); // validates the number
    return InetAddresses.forString(family == IpFamily.V4 ? GATEWAY_V4
        : underlayAddress(node, family));
  }

  private void addNamespace(String name) {
    shell.run("ip", "netns", "add", name);
    namespaces.add(name);
    // No duplicate address detection: a tentative link-local address cannot send neighbour
    // solicitations, so IPv6 would stay unreachable for the first seconds of every pod.
    inNamespace(name, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
        "net.ipv6.conf.default.accept_dad=0");
    shell.run("ip", "-n", name, "link", "set", "lo", "up");
  }

  public int nodeCount() {
    return nodeCount;
  }

  /** The namespace of node {@code node} (1-based): where its agent programs the kernel. */
  public String nodeNamespace(int node) {
    if (node < 1 || node > nodeCount) {
      throw new IllegalArgumentException("no node " + node + " in a " + nodeCount
          + "-node cluster");
    }
    return base + "-n" + node;
  }

  /**
   * Creates a pod namespace on {@code node} with these addresses (at most one per family) and
   * routes them from every node.
   */
  public LabPod addPod(String key, int node, List<InetAddress> addresses) {
    if (pods.containsKey(key)) {
      throw new IllegalArgumentException("pod " + key + " exists already");
    }
    String nodeNs = nodeNamespace(node);
    podSequence++;
    LabPod pod = new LabPod(key, base + "-p" + podSequence, node, "p" + podSequence,
        List.copyOf(addresses));
    addNamespace(pod.namespace());
    pods.put(key, pod);
    String veth = pod.nodeInterface();
    String ns = pod.namespace();
    shell.run("ip", "-n", nodeNs, "link", "add", veth, "type", "veth", "peer", "name", "eth0",
        "netns", ns);
    inNamespace(nodeNs, "sysctl", "-qw", "net.ipv4.conf." + veth + ".proxy_arp=1");
    shell.run("ip", "-n", nodeNs, "addr", "add", GATEWAY_V6 + "/64", "dev", veth, "nodad");
    shell.run("ip", "-n", nodeNs, "link", "set", veth, "up");
    shell.run("ip", "-n", ns, "link", "set", "eth0", "up");
    shell.run("ip", "-n", ns, "route", "add", GATEWAY_V4, "dev", "eth0", "scope", "link");
    shell.run("ip", "-n", ns, "route", "add", "default", "via", GATEWAY_V4, "dev", "eth0");
    shell.run("ip", "-n", ns, "-6", "route", "add", "default", "via", GATEWAY_V6, "dev", "eth0");
    for (InetAddress address : addresses) {
      String host = InetAddresses.toAddrString(address) + (v6(address) ? "/128" : "/32");
      IpFamily family = IpFamily.of(address);
      if (family == IpFamily.V6) {
        shell.run("ip", "-n", ns, "addr", "add", host, "dev", "eth0", "nodad");
      } else {
        shell.run("ip", "-n", ns, "addr", "add", host, "dev", "eth0");
      }
      shell.run("ip", "-n", nodeNs, family == IpFamily.V6 ? "-6" : "-4", "route", "add", host,
          "dev", veth);
      for (int other = 1; other <= nodeCount; other++) {
        if (other != node) {
          shell.run("ip", "-n", nodeNamespace(other), family == IpFamily.V6 ? "-6" : "-4",
              "route", "add", host, "via", underlayAddress(node, family), "dev", "ul");
        }
      }
    }
    return pod;
  }

  /** Deletes a pod's namespace, servers and routes; its addresses may be reused after. */
  public void removePod(String key) {
    LabPod pod = pods.remove(key);
    if (pod == null) {
      throw new IllegalArgumentException("no pod " + key);
    }
    servers.stopIn(pod.namespace());
    for (InetAddress address : pod.addresses()) {
      String host = InetAddresses.toAddrString(address) + (v6(address) ? "/128" : "/32");
      for (int other = 1; other <= nodeCount; other++) {
        if (other != pod.node()) {
          shell.tryRun("ip", "-n", nodeNamespace(other), v6(address) ? "-6" : "-4", "route",
              "del", host);
        }
      }
    }
    killProcessesIn(shell, pod.namespace());
    // The kernel destroys a deleted namespace (and the veth and routes with it) asynchronously;
    // deleting the node's end first frees the pod's addresses for a new pod at once.
    shell.run("ip", "-n", nodeNamespace(pod.node()), "link", "del", pod.nodeInterface());
    shell.run("ip", "netns", "del", pod.namespace());
    namespaces.remove(pod.namespace());
  }

  public LabPod pod(String key) {
    LabPod pod = pods.get(key);
    if (pod == null) {
      throw new IllegalArgumentException("no pod " + key);
    }
    return pod;
  }

  /** Starts an echo server for TCP or UDP {@code port} in the pod. */
  public void serve(String key, Protocol protocol, int port) {
    servers.start(pod(key).namespace(), protocol, port);
  }

  /** Whether traffic from the pod reaches {@code to} (see {@link Probes#reaches}). */
  public boolean reaches(String fromKey, InetAddress to, Protocol protocol, int port) {
    return probes.reaches(pod(fromKey).namespace(), to, protocol, port);
  }

  /** Runs a command inside a namespace of this cluster; it must succeed. */
  public String inNamespace(String namespace, String... argv) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(List.of(argv));
    return shell.run(full.toArray(String[]::new));
  }

  @Override
  public void close() {
    destroy();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or ran: nothing left to unregister
    }
  }

  private synchronized void destroy() {
    servers.stopAll();
    for (String ns : Lists.reverse(namespaces)) {
      killProcessesIn(shell, ns);
      shell.tryRun("ip", "netns", "del", ns);
    }
    namespaces.clear();
    pods.clear();
  }

  /**
   * Deletes namespaces with this prefix whose creating JVM is gone (a crash or kill -9 skipped
   * close); those of live JVMs and every other name are left alone.
   */
  public static void sweepLeftovers(String prefix) {
    Pattern ours = Pattern.compile("^(" + Pattern.quote(prefix) + "(\\d+)-\\S+)");
    Shell shell = new Shell();
    for (String line : shell.run("ip", "netns", "list").split("\n")) {
      Matcher matcher = ours.matcher(line);
      if (matcher.find() && ProcessHandle.of(Long.parseLong(matcher.group(2))).isEmpty()) {
        killProcessesIn(shell, matcher.group(1));
        shell.tryRun("ip", "netns", "del", matcher.group(1));
      }
    }
  }

  /** Only lab servers and probes run in lab namespaces; they are stopped by pid. */
  private static void killProcessesIn(Shell shell, String ns) {
    CommandResult pids = shell.tryRun("ip", "netns", "pids", ns);
    for (String pid : pids.stdout().split("\\s+")) {
      if (!pid.isBlank()) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private static boolean v6(InetAddress address) {
    return IpFamily.of(address) == IpFamily.V6;
  }

  /** Fails (not skips) when a lab cannot be built here, saying why. */
  public static void requireRootAndTools() {
    int euid = POSIXFactory.getNativePOSIX().geteuid();
    if (euid != 0) {
      throw new IllegalStateException("network-namespace labs need root (namespaces, "
          + "iptables, ipset) but this runs as uid " + euid + "; run as root (sudo)");
    }
    Shell shell = new Shell();
    for (List<String> probe : List.of(List.of("ip", "-V"), List.of("iptables", "--version"),
        List.of("ip6tables", "--version"), List.of("ipset", "version"), List.of("socat", "-V"),
        List.of("ping", "-V"))) {
      CommandResult result;
      try {
        result = shell.runner().run(probe);
      } catch (RuntimeException e) {
        throw new IllegalStateException(probe.get(0) + " is missing: install iproute2, "
            + "iptables, ipset, socat and iputils-ping (.ci/setup does)", e);
      }
      if (!result.succeeded()) {
        throw new IllegalStateException(probe.get(0) + " does not run (exit "
            + result.exitCode() + "): " + result.stderr().strip());
      }
    }
  }
}
