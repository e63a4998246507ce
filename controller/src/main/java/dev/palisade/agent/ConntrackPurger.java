package dev.palisade.agent;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts existing connections that the policies now deny. Conntrack lets the packets of an
 * established flow through before any policy rule (that is what makes replies work), so
 * tightening a policy would otherwise not stop a connection that is already open. After a sync
 * that changed the kernel, every TCP, UDP and SCTP flow of the node that involves a local pod and
 * was opened by a pod is judged again by the reference evaluator, which the dataplane agrees with (the e2e agreement
 * suite proves it), and the flows it denies are deleted from the conntrack table.
 *
 * <p>Threading: called on the sync thread; the graph is read under its lock.
 */
final class ConntrackPurger {
  private static final Logger log = LoggerFactory.getLogger(ConntrackPurger.class);
  /** The original direction of an entry of {@code conntrack -L}: the first tuple. */
  private static final Pattern ENTRY = Pattern.compile(
      "^(tcp|udp|sctp)\\s+\\d+\\s.*?src=(\\S+) dst=(\\S+) sport=(\\d+) dport=(\\d+)");

  /** One flow as conntrack saw its first packet. */
  record Flow(Protocol protocol, InetAddress source, InetAddress destination, int sourcePort,
      int destinationPort) {}

  private final CommandRunner runner;

  ConntrackPurger(CommandRunner runner) {
    this.runner = runner;
  }

  /** Deletes the flows the graph now denies; returns how many. */
  int purge(RuleGraph graph, String nodeName) {
    List<Flow> flows = list();
    List<Flow> denied = new ArrayList<>();
    synchronized (graph) {
      Evaluator evaluator = new Evaluator(graph);
      for (Flow flow : flows) {
        Optional<Pod> source = graph.endpointByIp(flow.source());
        Optional<Pod> destination = graph.endpointByIp(flow.destination());
        boolean local = source.map(pod -> nodeName.equals(pod.nodeName())).orElse(false)
            || destination.map(pod -> nodeName.equals(pod.nodeName())).orElse(false);
        // Only flows that a pod opened: the node's own flows to its pods (kubelet probes) are
        // allowed whatever the policies say, and the evaluator does not know the node.
        if (local && source.isPresent() && !evaluator.verdict(new Endpoint(flow.source(), source),
            new Endpoint(flow.destination(), destination),
            Traffic.of(flow.protocol(), flow.destinationPort())).allowed()) {
          denied.add(flow);
        }
      }
    }
    denied.forEach(this::delete);
    if (!denied.isEmpty()) {
      log.info("purged {} connections that the policies now deny", denied.size());
    }
    return denied.size();
  }

  private List<Flow> list() {
    CommandResult result = runner.run(List.of("conntrack", "-L"));
    if (!result.succeeded()) {
      log.warn("conntrack -L failed (exit {}): {}", result.exitCode(), result.stderr().strip());
      return List.of();
    }
    return parse(result.stdout());
  }

  static List<Flow> parse(String listing) {
    List<Flow> flows = new ArrayList<>();
    for (String line : listing.split("\n")) {
      Matcher matcher = ENTRY.matcher(line);
      if (matcher.find() && InetAddresses.isInetAddress(matcher.group(2))
          && InetAddresses.isInetAddress(matcher.group(3))) {
        flows.add(new Flow(Protocol.parse(matcher.group(1)).orElseThrow(),
            InetAddresses.forString(matcher.group(2)), InetAddresses.forString(matcher.group(3)),
            Integer.parseInt(matcher.group(4)), Integer.parseInt(matcher.group(5))));
      }
    }
    return flows;
  }

  private void delete(Flow flow) {
    CommandResult result = runner.run(List.of("conntrack", "-D",
        "-p", flow.protocol().name().toLowerCase(Locale.ROOT),
        "--orig-src", InetAddresses.toAddrString(flow.source()),
        "--orig-dst", InetAddresses.toAddrString(flow.destination()),
        "--sport", Integer.toString(flow.sourcePort()),
        "--dport", Integer.toString(flow.destinationPort())));
    // exit 1 "0 flow entries have been deleted": the flow ended meanwhile, which is fine
    if (!result.succeeded() && !result.stderr().contains("0 flow entries")) {
      log.warn("conntrack -D of {} failed (exit {}): {}", flow, result.exitCode(),
          result.stderr().strip());
    }
  }
}
