package dev.palisade.dataplane.ebpf;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.Shell;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One socket operation from a pod, timed by the process that makes it (python3 in the pod's
 * namespace, so the time excludes starting the process): a TCP connect, or a UDP datagram sent
 * on a connected socket and an answer awaited; or a ping. What ended it: the answer (the echo
 * server's, the echo reply), a refusal (a TCP reset; an ICMP port unreachable, which the kernel
 * reports on the connected UDP socket's next receive and ping prints), or the timeout. Probes
 * run in parallel.
 */
final class Refusals {
  /** The longest wait of a probe: what a dropped packet costs. */
  static final double TIMEOUT_SECONDS = 2;

  private static final String SCRIPT = """
      import socket, sys, time
      protocol, family, host, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
      timeout = float(sys.argv[5])
      kind = socket.SOCK_STREAM if protocol == 'tcp' else socket.SOCK_DGRAM
      s = socket.socket(socket.AF_INET if family == '4' else socket.AF_INET6, kind)
      s.settimeout(timeout)
      start = time.monotonic()
      try:
          s.connect((host, port))
          if protocol == 'tcp':
              result = 'answered'
          else:
              s.send(b'palisade-probe\\n')
              result = 'answered' if s.recv(100) else 'timeout'
      except ConnectionRefusedError:
          result = 'refused'
      except TimeoutError:
          result = 'timeout'
      print(result, '%.1f' % ((time.monotonic() - start) * 1000))
      """;

  enum Ending { ANSWERED, REFUSED, TIMEOUT }

  record Probe(LabPod from, LabPod to, Protocol protocol, int port, IpFamily family) {
    @Override
    public String toString() {
      return from.name() + " -> " + to.name() + " " + protocol.name().toLowerCase(Locale.ROOT)
          + (protocol == Protocol.ICMP ? "" : "/" + port) + " " + family;
    }
  }

  record Result(Ending ending, double millis) {}

  private Refusals() {}

  static Probe probe(LabPod from, LabPod to, Protocol protocol, int port, IpFamily family) {
    return new Probe(from, to, protocol, port, family);
  }

  /** Runs the probes at once; the results in the probes' order. */
  static Map<Probe, Result> run(List<Probe> probes) {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Map<Probe, Future<Result>> pending = new LinkedHashMap<>();
      probes.forEach(probe -> pending.put(probe, pool.submit(() -> run(probe))));
      Map<Probe, Result> results = new LinkedHashMap<>();
      for (Map.Entry<Probe, Future<Result>> entry : pending.entrySet()) {
        results.put(entry.getKey(), entry.getValue().get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("probing failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  static Result run(Probe probe) {
    if (probe.protocol() == Protocol.ICMP) {
      return ping(probe);
    }
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", probe.from().namespace(),
        "python3", "-c", SCRIPT, probe.protocol() == Protocol.TCP ? "tcp" : "udp",
        probe.family() == IpFamily.V4 ? "4" : "6",
        InetAddresses.toAddrString(probe.to().address(probe.family())),
        Integer.toString(probe.port()), Double.toString(TIMEOUT_SECONDS)));
    CommandResult result = new Shell().runner().run(argv);
    String[] words = result.stdout().trim().split(" ");
    if (!result.succeeded() || words.length != 2) {
      throw new IllegalStateException(probe + ": the probe failed (exit " + result.exitCode()
          + "): " + result.stdout() + result.stderr());
    }
    return new Result(Ending.valueOf(words[0].toUpperCase()), Double.parseDouble(words[1]));
  }

  /**
   * One echo request (ping), timed from outside (the time includes starting the process): the
   * reply, a port unreachable error, or the timeout.
   */
  private static Result ping(Probe probe) {
    long start = System.nanoTime();
    CommandResult result = new Shell().runner().run(List.of("ip", "netns", "exec",
        probe.from().namespace(), "ping", probe.family() == IpFamily.V4 ? "-4" : "-6", "-c", "1",
        "-W", Integer.toString((int) TIMEOUT_SECONDS),
        InetAddresses.toAddrString(probe.to().address(probe.family()))));
    double millis = (System.nanoTime() - start) / 1e6;
    if (result.succeeded()) {
      return new Result(Ending.ANSWERED, millis);
    }
    return new Result(result.stdout().toLowerCase(Locale.ROOT).contains("port unreachable")
        ? Ending.REFUSED : Ending.TIMEOUT, millis);
  }

  /**
   * Sets the transmit checksum offload of an interface in a namespace ({@code SIOCETHTOOL},
   * {@code ETHTOOL_STXCSUM}; no ethtool needed). Off, the kernel completes pending checksums in
   * software before the interface sends, and the receiver verifies them.
   */
  static void txChecksumming(String namespace, String device, boolean on) {
    String script = """
        import array, fcntl, socket, struct, sys
        value = array.array('B', struct.pack('II', 0x17, int(sys.argv[2])))
        request = struct.pack('16sP', sys.argv[1].encode(), value.buffer_info()[0])
        fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, request)
        """;
    new Shell().run("ip", "netns", "exec", namespace, "python3", "-c", script, device,
        on ? "1" : "0");
  }
}
