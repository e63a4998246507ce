package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.Namespace;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.PodPhase;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.Protocol;
import dev.palisade.model.Rule;
import dev.palisade.model.RuleGraph;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.Map;

/**
 * A server pod selected by exactly k ingress policies, and a client pod, added to a cluster on
 * one node: the same workload at every cluster size, so that what a packet between them costs
 * can be compared across sizes.
 *
 * <p>The pods live in their own namespace ({@value #NAMESPACE}, no other policy can select
 * them) and take the next free addresses of the node's pod CIDR, as the next pods scheduled
 * there would. Policy {@code probe-i} allows TCP {@value #ALLOWED_PORT} from pods labelled
 * {@code app=probe-peer-i}, except the last by name, which allows it from the client: the
 * client's packet to {@value #ALLOWED_PORT} is allowed only after every one of the k policy
 * chains has been tried (the worst case), and its packet to {@value #DENIED_PORT} is denied
 * after the same walk.
 */
public record ProbeWorkload(Pod server, Pod client, ImmutableList<Policy> policies) {
  public static final String NAMESPACE = "packet-probe";
  public static final int ALLOWED_PORT = 8080;
  public static final int DENIED_PORT = 8081;

  /** Adds the namespace, both pods and {@code policyCount} policies to the graph. */
  public static ProbeWorkload addTo(RuleGraph graph, String node, int policyCount) {
    if (policyCount < 1 || policyCount > 99) {
      throw new IllegalArgumentException("1 to 99 policies, not " + policyCount);
    }
    int last = graph.endpointsOnNode(node).stream()
        .flatMap(pod -> pod.ip(IpFamily.V4).stream())
        .map(InetAddresses::coerceToInteger)
        .max(Comparator.naturalOrder())
        .orElseThrow(() -> new IllegalArgumentException("no pods on " + node));
    graph.upsertNamespace(Namespace.of(NAMESPACE, Map.of("team", "probe")));
    Pod server = pod("server", InetAddresses.fromInteger(last + 1), node,
        ImmutableList.of(new ContainerPort("http", ALLOWED_PORT, Protocol.TCP)));
    Pod client = pod("client", InetAddresses.fromInteger(last + 2), node, ImmutableList.of());
    graph.upsertPod(server);
    graph.upsertPod(client);
    ImmutableList.Builder<Policy> policies = ImmutableList.builder();
    for (int i = 1; i <= policyCount; i++) {
      String allowedApp = i == policyCount ? "probe-client" : "probe-peer-" + i;
      Policy policy = Policy.of(ObjectRef.of(NAMESPACE, String.format("probe-%02d", i)),
          LabelSelector.of(Map.of("app", "probe-server")), ImmutableSet.of(Direction.INGRESS),
          ImmutableList.of(new Rule(
              ImmutableList.of(PeerSelector.inNamespace(NAMESPACE,
                  LabelSelector.of(Map.of("app", allowedApp)))),
              ImmutableList.of(PortMatcher.PortRange.single(Protocol.TCP, ALLOWED_PORT)))),
          ImmutableList.of());
      graph.upsertPolicy(policy);
      policies.add(policy);
    }
    return new ProbeWorkload(server, client, policies.build());
  }

  private static Pod pod(String name, InetAddress address, String node,
      ImmutableList<ContainerPort> ports) {
    return new Pod(ObjectRef.of(NAMESPACE, name), ImmutableSortedMap.of("app", "probe-" + name),
        ImmutableList.of(address), node, ports, PodPhase.RUNNING, false);
  }

  /** Takes the workload out of the graph again. */
  public void removeFrom(RuleGraph graph) {
    policies.forEach(policy -> graph.deletePolicy(policy.ref()));
    graph.deletePod(server.ref());
    graph.deletePod(client.ref());
    graph.deleteNamespace(NAMESPACE);
  }

  public InetAddress serverAddress() {
    return server.ip(IpFamily.V4).orElseThrow();
  }

  public InetAddress clientAddress() {
    return client.ip(IpFamily.V4).orElseThrow();
  }
}
