package dev.palisade.agent;

import com.google.common.collect.Iterables;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts existing connections that the policies now deny. Conntrack lets the packets of an
 * established flow through before any policy rule (that is what makes replies work), so
 * tightening a policy would otherwise not stop a connection that is already open. After a sync
 * that changed the kernel, every TCP, UDP and SCTP flow of the node, IPv4 and IPv6, that involves
 * a local pod and was opened by a pod is judged again by the reference evaluator, which the
 * dataplane agrees with (the e2e agreement suite proves it), and the flows it denies are deleted
 * from the conntrack table.
 *
 * <p>Costs: the listing is streamed, one family at a time ({@code conntrack -L} alone lists only
 * IPv4), and never held whole. The verdict does not depend on the source port, so the denied
 * flows are deleted per (protocol, source, destination, destination port), which also removes a
 * flow of that kind opened since the listing (denied as well). Deletions go to {@code conntrack
 * -R -} in batches, one process per {@link #DELETIONS_PER_BATCH} instead of one per flow
 * (conntrack-tools 1.4.7 executes each line as its own {@code -D}; a line whose flows are gone
 * already is no error).
 *
 * <p>Threading: called on the sync thread; the graph is read under its lock, one flow at a time,
 * so informer threads are not held up for the length of a listing.
 */
final class ConntrackPurger {
  private static final Logger log = LoggerFactory.getLogger(ConntrackPurger.class);
  /** Lines per {@code conntrack -R -}: bounds one process's input. */
  static final int DELETIONS_PER_BATCH = 500;
  /** The original direction of an entry of {@code conntrack -L}: the first tuple. */
  private static final Pattern ENTRY = Pattern.compile(
      "^(tcp|udp|sctp)\\s+\\d+\\s.*?src=(\\S+) dst=(\\S+) sport=(\\d+) dport=(\\d+)");

  /** One flow as conntrack saw its first packet. */
  record Flow(Protocol protocol, InetAddress source, InetAddress destination, int sourcePort,
      int destinationPort) {}

  /** Every flow of one protocol from one address to one port of another: what a purge deletes. */
  record Deletion(Protocol protocol, InetAddress source, InetAddress destination,
      int destinationPort) {
    static Deletion of(Flow flow) {
      return new Deletion(flow.protocol(), flow.source(), flow.destination(),
          flow.destinationPort());
    }

    /** One line of {@code conntrack -R}. */
    String line() {
      return "-D -p " + protocol.name().toLowerCase(Locale.ROOT)
          + " --orig-src " + InetAddresses.toAddrString(source)
          + " --orig-dst " + InetAddresses.toAddrString(destination)
          + " --dport " + destinationPort;
    }
  }

  private final CommandRunner runner;

  ConntrackPurger(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * Deletes the flows the graph now denies. Empty when every listing and deletion succeeded;
   * else what failed, and the caller purges again later (a denied flow left open is a hole).
   */
  Optional<String> purge(RuleGraph graph, String nodeName) {
    Set<Deletion> denied = new LinkedHashSet<>();
    List<String> failures = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      List<String> argv = List.of("conntrack", "-L", "-f", "ipv" + family.number());
      CommandResult listing = runner.stream(argv, line -> parse(line)
          .filter(flow -> denied(graph, nodeName, flow))
          .ifPresent(flow -> denied.add(Deletion.of(flow))));
      if (!listing.succeeded()) {
        failures.add(failure(argv, listing));
      }
    }
    for (List<Deletion> batch : Iterables.partition(denied, DELETIONS_PER_BATCH)) {
      List<String> argv = List.of("conntrack", "-R", "-");
      CommandResult deleted = runner.run(argv,
          batch.stream().map(Deletion::line).collect(Collectors.joining("\n", "", "\n")));
      if (!deleted.succeeded()) {
        failures.add(failure(argv, deleted) + " (" + batch.size() + " deletions)");
      }
    }
    if (!denied.isEmpty()) {
      log.info("purged the connections that the policies now deny: {} (protocol, source, "
          + "destination, port) groups", denied.size());
    }
    return failures.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", failures));
  }

  private static String failure(List<String> argv, CommandResult result) {
    return String.join(" ", argv) + " exited " + result.exitCode() + ": "
        + result.stderr().strip();
  }

  /** Whether a pod opened this flow, it involves a pod of this node and the policies deny it. */
  private static boolean denied(RuleGraph graph, String nodeName, Flow flow) {
    synchronized (graph) {
      Optional<Pod> source = graph.endpointByIp(flow.source());
      Optional<Pod> destination = graph.endpointByIp(flow.destination());
      boolean local = source.map(pod -> nodeName.equals(pod.nodeName())).orElse(false)
          || destination.map(pod -> nodeName.equals(pod.nodeName())).orElse(false);
      // Only flows that a pod opened: the node's own flows to its pods (kubelet probes) are
      // allowed whatever the policies say, and the evaluator does not know the node.
      return local && source.isPresent() && !new Evaluator(graph).verdict(
          new Endpoint(flow.source(), source), new Endpoint(flow.destination(), destination),
          Traffic.of(flow.protocol(), flow.destinationPort())).allowed();
    }
  }

  /** The flow of one line of {@code conntrack -L}; empty for other protocols and summaries. */
  static Optional<Flow> parse(String line) {
    Matcher matcher = ENTRY.matcher(line);
    if (!matcher.find() || !InetAddresses.isInetAddress(matcher.group(2))
        || !InetAddresses.isInetAddress(matcher.group(3))) {
      return Optional.empty();
    }
    return Optional.of(new Flow(Protocol.parse(matcher.group(1)).orElseThrow(),
        InetAddresses.forString(matcher.group(2)), InetAddresses.forString(matcher.group(3)),
        Integer.parseInt(matcher.group(4)), Integer.parseInt(matcher.group(5))));
  }
}
