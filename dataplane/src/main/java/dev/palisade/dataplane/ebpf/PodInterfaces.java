package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.model.ObjectRef;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds each local pod's host-side interface: the one the node routes the pod's address to with
 * a host route of the main table ({@code 10.1.0.5 dev cali1234 scope link}), as routing CNIs
 * install them (Calico, Cilium, kindnet, the AWS VPC CNI; the e2e cluster's harness too). A CNI
 * that bridges its pods (one subnet route to a bridge) gives no such route: its pods stay
 * unresolved, and the agent says so.
 *
 * <p>The routes are read with one {@code ip route show} per family, and read again when the pods
 * or their addresses changed since (a new pod may reuse a deleted pod's address, which then leads
 * to the new pod's interface), when a pod's address is not among those read (its route was not
 * there yet), or when asked (the periodic read-back, or an interface read here is gone).
 */
final class PodInterfaces {
  /** The pods with an interface, and those whose addresses no host route leads to. */
  record Resolution(ImmutableSortedMap<ObjectRef, String> interfaces,
      ImmutableSortedSet<ObjectRef> unresolved) {}

  private final CommandRunner node;
  private Map<InetAddress, String> routes;
  /** The pods whose interfaces the routes were read for. */
  private Map<ObjectRef, List<InetAddress>> readFor;

  /** @param node runs {@code ip} in the node's network namespace */
  PodInterfaces(CommandRunner node) {
    this.node = node;
  }

  /** Forgets the routes read: the next resolution reads them again. */
  void forget() {
    routes = null;
  }

  Resolution resolve(Map<ObjectRef, ? extends List<InetAddress>> pods) {
    if (routes == null || !pods.equals(readFor) || pods.values().stream().flatMap(List::stream)
        .anyMatch(address -> !routes.containsKey(address))) {
      routes = readRoutes();
      readFor = Map.copyOf(pods);
    }
    Map<ObjectRef, String> interfaces = new TreeMap<>();
    TreeSet<ObjectRef> unresolved = new TreeSet<>();
    pods.forEach((pod, addresses) -> addresses.stream().map(routes::get)
        .filter(name -> name != null).findFirst()
        .ifPresentOrElse(name -> interfaces.put(pod, name), () -> unresolved.add(pod)));
    return new Resolution(ImmutableSortedMap.copyOf(interfaces),
        ImmutableSortedSet.copyOf(unresolved));
  }

  /** The node's host routes now, address → interface (read, not remembered). */
  Map<InetAddress, String> readRoutes() {
    Map<InetAddress, String> read = new HashMap<>();
    for (String family : List.of("-4", "-6")) {
      List<String> argv = ImmutableList.of("ip", family, "-o", "route", "show", "table", "main");
      CommandResult result = node.run(argv);
      if (!result.succeeded()) {
        throw new IllegalStateException("cannot read the node's routes (" + String.join(" ", argv)
            + ", exit " + result.exitCode() + "): " + result.stderr().strip());
      }
      read.putAll(hostRoutes(result.stdout()));
    }
    return read;
  }

  /**
   * The directly connected host routes of {@code ip -o route show} output: address to device.
   * Routes via a gateway (another node's pods), subnet routes and routes of other types
   * ({@code local}, {@code unreachable}, ...) are not a pod's interface.
   */
  static Map<InetAddress, String> hostRoutes(String ipRouteShow) {
    Map<InetAddress, String> routes = new HashMap<>();
    for (String line : ipRouteShow.split("\n")) {
      String[] words = line.strip().split("\\s+");
      if (words.length < 3) {
        continue;
      }
      String destination = words[0];
      int slash = destination.indexOf('/');
      String address = slash < 0 ? destination : destination.substring(0, slash);
      if (!InetAddresses.isInetAddress(address)) {
        continue;
      }
      InetAddress parsed = InetAddresses.forString(address);
      int bits = parsed.getAddress().length * 8;
      if (slash >= 0 && !destination.substring(slash + 1).equals(Integer.toString(bits))) {
        continue;
      }
      List<String> rest = List.of(words);
      int dev = rest.indexOf("dev");
      if (dev < 0 || dev + 1 >= words.length || rest.contains("via")) {
        continue;
      }
      routes.put(parsed, words[dev + 1]);
    }
    return routes;
  }
}
