package dev.palisade.dataplane.lab;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Real connections from a pod namespace: a request answered by the echo server counts as
 * reached. Short timeouts keep a denied probe cheap; UDP is retried because a lost datagram is
 * not a denial.
 */
final class Probes {
  private static final String PING = "palisade-probe";
  private static final int TCP_ATTEMPTS = 1;
  private static final int UDP_ATTEMPTS = 3;

  private Probes() {}

  static boolean tcp(CommandRunner runner, String namespace, InetAddress to, int port) {
    String target = (to instanceof Inet6Address ? "TCP6:" : "TCP4:") + host(to) + ":" + port
        + ",connect-timeout=1";
    return attempt(runner, namespace, target, TCP_ATTEMPTS, "1");
  }

  static boolean udp(CommandRunner runner, String namespace, InetAddress to, int port) {
    String target = (to instanceof Inet6Address ? "UDP6:" : "UDP4:") + host(to) + ":" + port;
    return attempt(runner, namespace, target, UDP_ATTEMPTS, "0.5");
  }

  private static boolean attempt(CommandRunner runner, String namespace, String target,
      int attempts, String idleTimeout) {
    for (int k = 0; k < attempts; k++) {
      CommandResult result = runner.run(List.of("ip", "netns", "exec", namespace, "socat",
          "-T", idleTimeout, "-", target), PING + "\n");
      if (result.stdout().contains(PING)) {
        return true;
      }
    }
    return false;
  }

  private static String host(InetAddress address) {
    return address instanceof Inet6Address ? "[" + InetAddresses.toAddrString(address) + "]"
        : address.getHostAddress();
  }
}
