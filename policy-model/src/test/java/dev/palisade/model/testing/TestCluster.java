package dev.palisade.model.testing;

import static dev.palisade.model.testing.Builders.namespace;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Namespace;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import dev.palisade.model.eval.Verdict;
import java.net.InetAddress;
import java.util.List;

/**
 * A {@link RuleGraph} with an {@link Evaluator} over it, addressed the way tests talk about
 * pods: {@code verdict("x/a", "y/b", tcp(80))}. An end written as an IP literal stands for
 * whoever holds that address now (the endpoint pod, or an address outside the cluster), as the
 * dataplane sees a packet.
 */
public final class TestCluster {
  /** Namespaces of the reference topology (DESIGN.md section 5). */
  public static final List<String> NAMESPACES = List.of("x", "y", "z");
  /** Pods of the reference topology in each namespace. */
  public static final List<String> PODS = List.of("a", "b", "c");

  private final RuleGraph graph = new RuleGraph();
  private final Evaluator evaluator = new Evaluator(graph);

  /**
   * Namespaces x, y, z (label {@code ns=<name>}) with pods a, b, c (label {@code pod=<name>}),
   * each with {@code 10.0.<n>.<p>} and {@code fd00::<n>:<p>} and the container ports
   * {@code serve-80-tcp} (80/TCP), {@code serve-80-udp} (80/UDP) and {@code serve-81-udp}
   * (81/UDP).
   */
  public static TestCluster reference() {
    TestCluster cluster = new TestCluster();
    for (int n = 0; n < NAMESPACES.size(); n++) {
      String ns = NAMESPACES.get(n);
      cluster.apply(namespace(ns, "ns", ns));
      for (int p = 0; p < PODS.size(); p++) {
        String name = PODS.get(p);
        cluster.apply(Builders.pod(name).in(ns).labels("pod", name)
            .ip("10.0." + (n + 1) + "." + (p + 1), "fd00::" + (n + 1) + ":" + (p + 1))
            .node(p % 2 == 0 ? "node-1" : "node-2")
            .port("serve-80-tcp", 80, Protocol.TCP)
            .port("serve-80-udp", 80, Protocol.UDP)
            .port("serve-81-udp", 81, Protocol.UDP)
            .build());
      }
    }
    return cluster;
  }

  /** The pod with one more container port. */
  public static Pod withPort(Pod pod, ContainerPort port) {
    return new Pod(pod.ref(), pod.labels(), pod.ips(), pod.nodeName(),
        ImmutableList.<ContainerPort>builder().addAll(pod.ports()).add(port).build(),
        pod.phase(), pod.hostNetwork());
  }

  public RuleGraph graph() {
    return graph;
  }

  public TestCluster apply(Namespace namespace) {
    graph.upsertNamespace(namespace);
    return this;
  }

  public TestCluster apply(Pod pod) {
    graph.upsertPod(pod);
    return this;
  }

  public TestCluster apply(Policy... policies) {
    for (Policy policy : policies) {
      graph.upsertPolicy(policy);
    }
    return this;
  }

  /** Applies namespaces, pods and policies in order, as a watch would deliver them. */
  public TestCluster applyAll(List<?> objects) {
    for (Object object : objects) {
      if (object instanceof Namespace namespace) {
        apply(namespace);
      } else if (object instanceof Pod pod) {
        apply(pod);
      } else if (object instanceof Policy policy) {
        apply(policy);
      } else {
        throw new IllegalArgumentException("not a namespace, pod or policy: " + object);
      }
    }
    return this;
  }

  public Pod pod(String ref) {
    return graph.pod(ObjectRef.parse(ref))
        .orElseThrow(() -> new IllegalArgumentException("no pod " + ref + " in the cluster"));
  }

  /** Over IPv4 when the ends are pods; an IP literal picks its own family. */
  public Verdict verdict(String from, String to, Traffic traffic) {
    return verdict(from, to, traffic, IpFamily.V4);
  }

  public Verdict verdict(String from, String to, Traffic traffic, IpFamily family) {
    return evaluator.verdict(endpoint(from, family), endpoint(to, family), traffic);
  }

  /** {@code ns/pod} for a pod (its address of the family), otherwise an IP literal. */
  public Endpoint endpoint(String end, IpFamily family) {
    if (end.contains("/")) {
      return Endpoint.of(pod(end), family);
    }
    InetAddress ip = InetAddresses.forString(end);
    return new Endpoint(ip, graph.endpointByIp(ip));
  }
}
