package dev.palisade.dataplane.lab;

import com.google.common.collect.Lists;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.NetnsCommandRunner;
import dev.palisade.model.IpFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.posix.POSIXFactory;

/**
 * A throwaway node with pods, built from network namespaces (DESIGN.md section 5/6): a "node"
 * namespace routes between 2-3 "pod" namespaces, each wired to it by a veth. Pods have
 * {@code 10.99.1.(10+i)/32} and {@code fd00:99::(10+i)/128} and a default route via the node
 * (169.254.1.1 on the node's lo with proxy ARP on its veth ends; fe80::1 for IPv6). Nothing is
 * connected to the root namespace, so no test packet can leave the lab.
 *
 * <p>Names: {@code paltest-dk<pid>-<random>-node} / {@code -p<i>}. The pid lets a later run sweep
 * namespaces left by a crashed JVM ({@link #sweepLeftovers}) without touching those of parallel
 * runs or other helpers. {@link #close} stops the servers by pid and deletes the namespaces; a
 * shutdown hook does the same if the JVM exits before a test closes the lab.
 */
public final class NetnsLab implements AutoCloseable {
  private static final String PREFIX = "paltest-dk";
  private static final Pattern OURS = Pattern.compile("^(" + PREFIX + "(\\d+)-\\S+)");

  private final Shell shell = new Shell();
  private final String node;
  private final List<LabPod> pods = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();
  private final LabServers servers = new LabServers();
  private final Thread shutdownHook = new Thread(this::destroy, "netns-lab-cleanup");

  private NetnsLab(String base) {
    this.node = base + "-node";
  }

  /** Builds a lab with {@code podCount} pods; fails (never skips) without root or tools. */
  public static NetnsLab start(int podCount) {
    Preflight.requireRootAndTools();
    sweepLeftovers();
    String base = PREFIX + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 6);
    NetnsLab lab = new NetnsLab(base);
    Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
    try {
      lab.build(base, podCount);
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  private void build(String base, int podCount) {
    addNamespace(node);
    shell.run("ip", "-n", node, "addr", "add", "169.254.1.1/32", "dev", "lo");
    inNode("sysctl", "-qw", "net.ipv4.ip_forward=1");
    inNode("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
    for (int i = 1; i <= podCount; i++) {
      LabPod pod = new LabPod("p" + i, base + "-p" + i,
          InetAddresses.forString("10.99.1." + (10 + i)),
          InetAddresses.forString("fd00:99::" + (10 + i)), "vp" + i);
      addNamespace(pod.namespace());
      wire(pod);
      pods.add(pod);
    }
  }

  private void wire(LabPod pod) {
    String ns = pod.namespace();
    String veth = pod.nodeInterface();
    shell.run("ip", "-n", node, "link", "add", veth, "type", "veth", "peer", "name", "eth0",
        "netns", ns);
    inNode("sysctl", "-qw", "net.ipv4.conf." + veth + ".proxy_arp=1");
    shell.run("ip", "-n", node, "addr", "add", "fe80::1/64", "dev", veth, "nodad");
    shell.run("ip", "-n", node, "link", "set", veth, "up");
    shell.run("ip", "-n", ns, "link", "set", "eth0", "up");
    shell.run("ip", "-n", ns, "addr", "add", pod.v4().getHostAddress() + "/32", "dev", "eth0");
    shell.run("ip", "-n", ns, "addr", "add", InetAddresses.toAddrString(pod.v6()) + "/128",
        "dev", "eth0", "nodad");
    shell.run("ip", "-n", ns, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
    shell.run("ip", "-n", ns, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    shell.run("ip", "-n", ns, "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
    shell.run("ip", "-n", node, "route", "add", pod.v4().getHostAddress() + "/32", "dev", veth);
    shell.run("ip", "-n", node, "-6", "route", "add",
        InetAddresses.toAddrString(pod.v6()) + "/128", "dev", veth);
  }

  private void addNamespace(String name) {
    shell.run("ip", "netns", "add", name);
    namespaces.add(name);
    shell.run("ip", "-n", name, "link", "set", "lo", "up");
  }

  public String node() {
    return node;
  }

  public List<LabPod> pods() {
    return List.copyOf(pods);
  }

  public LabPod pod(int index) {
    return pods.get(index);
  }

  /** Runs commands inside the node namespace: hand this to the writer. */
  public CommandRunner nodeRunner() {
    return new NetnsCommandRunner(shell.runner(), node);
  }

  /** Runs a command in the node namespace that must succeed; returns its stdout. */
  public String inNode(String... argv) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", node));
    full.addAll(List.of(argv));
    return shell.run(full.toArray(String[]::new));
  }

  /** Starts TCP and UDP echo servers on {@code port} in the pod (both families). */
  public void serve(LabPod pod, int port) {
    servers.start(pod.namespace(), port);
  }

  public boolean tcpReaches(LabPod from, LabPod to, int port, IpFamily family) {
    return Probes.tcp(shell.runner(), from.namespace(), to.address(family), port);
  }

  public boolean udpReaches(LabPod from, LabPod to, int port, IpFamily family) {
    return Probes.udp(shell.runner(), from.namespace(), to.address(family), port);
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
  }

  /**
   * Deletes lab namespaces whose creating JVM is gone (a crash or kill -9 skipped close); those
   * of live JVMs (parallel runs) and every other name are left alone.
   */
  static void sweepLeftovers() {
    Shell shell = new Shell();
    for (String line : shell.run("ip", "netns", "list").split("\n")) {
      Matcher matcher = OURS.matcher(line);
      if (matcher.find()
          && ProcessHandle.of(Long.parseLong(matcher.group(2))).isEmpty()) {
        killProcessesIn(shell, matcher.group(1));
        shell.tryRun("ip", "netns", "del", matcher.group(1));
      }
    }
  }

  /** Only lab servers run in lab namespaces; they are stopped by pid. */
  private static void killProcessesIn(Shell shell, String ns) {
    CommandResult pids = shell.tryRun("ip", "netns", "pids", ns);
    for (String pid : pids.stdout().split("\\s+")) {
      if (!pid.isBlank()) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** The ipsets the machine's root namespace holds: read only, to prove sets are per netns. */
  public static List<String> rootNamespaceSetNames() {
    return new Shell().run("ipset", "list", "-n").lines().toList();
  }

  /** Fails (not skips) when the kernel tests cannot run here, saying why. */
  static final class Preflight {
    private Preflight() {}

    static void requireRootAndTools() {
      int euid = POSIXFactory.getNativePOSIX().geteuid();
      if (euid != 0) {
        throw new IllegalStateException("kernel tests need root (network namespaces, iptables, "
            + "ipset) but run as uid " + euid + "; use -Dpalisade.skipKernelTests to run only "
            + "unit tests");
      }
      Shell shell = new Shell();
      for (List<String> probe : List.of(List.of("ip", "-V"), List.of("iptables", "--version"),
          List.of("ip6tables", "--version"), List.of("ipset", "--version"),
          List.of("socat", "-V"), List.of("ss", "-V"))) {
        try {
          shell.run(probe.toArray(String[]::new));
        } catch (RuntimeException e) {
          throw new IllegalStateException("kernel tests need " + probe.get(0) + ": "
              + e.getMessage(), e);
        }
      }
    }
  }
}
