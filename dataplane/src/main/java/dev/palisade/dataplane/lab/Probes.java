package dev.palisade.dataplane.lab;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.model.Protocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Real connections from a pod's namespace: a request answered by the echo server counts as
 * reached. Every probe is tried up to three times before it counts as denied: a lost datagram or
 * a slow answer on a loaded machine is not a denial, and a REJECT answers each try at once.
 */
public final class Probes {
  private static final String PING = "palisade-probe";
  /**
   * A connection counts as refused only after this many tries: a REJECT answers each at once,
   * so retrying costs a denied probe little, while an allowed one on a loaded machine (a slow
   * fork of the echo server) gets more than one chance.
   */
  private static final int ATTEMPTS = 3;

  private final CommandRunner runner;

  public Probes(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * Whether {@code protocol} traffic from the namespace reaches {@code to} (port ignored for
   * ICMP).
   *
   * @throws IllegalArgumentException for SCTP, which this lab cannot probe
   */
  public boolean reaches(String fromNamespace, InetAddress to, Protocol protocol, int port) {
    return switch (protocol) {
      case TCP -> socat(fromNamespace, (v6(to) ? "TCP6:" : "TCP4:") + host(to) + ":" + port
          + ",connect-timeout=2", "2");
      case UDP -> socat(fromNamespace, (v6(to) ? "UDP6:" : "UDP4:") + host(to) + ":" + port,
          "1");
      case ICMP -> ping(fromNamespace, to);
      case SCTP -> throw new IllegalArgumentException(
          "SCTP cannot be probed: this kernel has no SCTP sockets");
    };
  }

  private boolean socat(String namespace, String target, String idleTimeout) {
    for (int k = 0; k < ATTEMPTS; k++) {
      CommandResult result = runner.run(List.of("ip", "netns", "exec", namespace, "socat",
          "-T", idleTimeout, "-", target), PING + "\n");
      if (result.stdout().contains(PING)) {
        return true;
      }
    }
    return false;
  }

  private boolean ping(String namespace, InetAddress to) {
    for (int k = 0; k < ATTEMPTS; k++) {
      if (runner.run(List.of("ip", "netns", "exec", namespace, "ping", v6(to) ? "-6" : "-4",
          "-c", "1", "-W", "1", InetAddresses.toAddrString(to))).succeeded()) {
        return true;
      }
    }
    return false;
  }

  private static boolean v6(InetAddress address) {
    return address instanceof Inet6Address;
  }

  private static String host(InetAddress address) {
    return v6(address) ? "[" + InetAddresses.toAddrString(address) + "]"
        : address.getHostAddress();
  }
}
