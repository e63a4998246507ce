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
 * reached. A probe that got no answer is tried up to three times before it counts as denied: a
 * lost datagram or a slow answer on a loaded machine is not a denial. A TCP connect that failed
 * (a reset, or no SYN-ACK within its timeout, the SYN sent twice) is not tried again: a SYN is
 * answered by a kernel (a listening socket's SYN-ACK, a closed port's reset, a REJECT), never by
 * the echo server's process, whose backlog holds more connections than probes run in parallel;
 * so a failed connect is the network's answer, and under DROP trying again would only triple
 * what a denied probe costs.
 */
public final class Probes {
  private static final String PING = "palisade-probe";
  /**
   * A probe without an answer counts as denied only after this many tries: an allowed one on a
   * loaded machine (a slow fork of the echo server) gets more than one chance.
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
          + ",connect-timeout=2", "2", false);
      case UDP -> socat(fromNamespace, (v6(to) ? "UDP6:" : "UDP4:") + host(to) + ":" + port,
          "1", true);
      case ICMP -> ping(fromNamespace, to);
      case SCTP -> throw new IllegalArgumentException(
          "SCTP cannot be probed: this kernel has no SCTP sockets");
    };
  }

  /**
   * socat ends with an error only when connecting failed or a refusal (a reset, an ICMP port
   * unreachable) arrived; a silent peer ends it at the idle timeout, with success. Such a failure
   * is final for TCP (see the class comment); {@code retryFailure} tries it again for UDP, whose
   * echo server binds its port anew after each new peer (socat's fork) and meanwhile refuses.
   */
  private boolean socat(String namespace, String target, String idleTimeout,
      boolean retryFailure) {
    for (int k = 0; k < ATTEMPTS; k++) {
      CommandResult result = runner.run(List.of("ip", "netns", "exec", namespace, "socat",
          "-T", idleTimeout, "-", target), PING + "\n");
      if (result.stdout().contains(PING)) {
        return true;
      }
      if (!result.succeeded() && !retryFailure) {
        return false;
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
