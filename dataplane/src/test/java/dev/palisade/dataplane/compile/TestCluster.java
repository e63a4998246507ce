package dev.palisade.dataplane.compile;

import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.pod;

import dev.palisade.model.Namespace;
import dev.palisade.model.PodPhase;
import dev.palisade.model.Policy;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The reference topology of the compiler tests, compiled for {@link #NODE}: namespaces x, y, z
 * (label {@code ns=<name>}) with pods a, b, c (label {@code pod=<name>}); x/a, x/b and y/a run
 * on node-1, the rest on node-2; x/a, x/c and y/b are dual-stack. The named ports differ per
 * pod: {@code http} is 8080 on x/a, 9090 on x/b, 8081 on x/c; {@code dns} is 53/UDP on x/a and
 * y/c, 5353/UDP on x/b. A host-network pod and a failed pod on node-1 are never endpoints.
 */
public final class TestCluster {
  static final String NODE = "node-1";

  private final List<Namespace> namespaces = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();
  private final List<Policy> policies = new ArrayList<>();

  private TestCluster() {}

  static TestCluster reference() {
    TestCluster cluster = new TestCluster();
    for (String ns : List.of("x", "y", "z")) {
      cluster.namespaces.add(namespace(ns, "ns", ns));
    }
    cluster.pods.addAll(List.of(
        pod("a").in("x").labels("pod", "a", "app", "web").ip("10.0.1.10", "fd00:1::a")
            .node("node-1").port("http", 8080, Protocol.TCP).port("dns", 53, Protocol.UDP)
            .build(),
        pod("b").in("x").labels("pod", "b", "app", "db").ip("10.0.1.11").node("node-1")
            .port("http", 9090, Protocol.TCP).port("dns", 5353, Protocol.UDP).build(),
        pod("c").in("x").labels("pod", "c").ip("10.0.2.12", "fd00:2::c").node("node-2")
            .port("http", 8081, Protocol.TCP).build(),
        pod("a").in("y").labels("pod", "a", "app", "web").ip("10.0.1.20").node("node-1").build(),
        pod("b").in("y").labels("pod", "b").ip("10.0.2.21", "fd00:2::b").node("node-2").build(),
        pod("c").in("y").labels("pod", "c").ip("10.0.2.22").node("node-2")
            .port("dns", 53, Protocol.UDP).build(),
        pod("a").in("z").labels("pod", "a").ip("10.0.2.30").node("node-2").build(),
        pod("host").in("x").labels("pod", "a").ip("192.168.0.1").node("node-1").hostNetwork()
            .build(),
        pod("done").in("x").labels("pod", "a").ip("10.0.1.99").node("node-1")
            .phase(PodPhase.FAILED).build()));
    return cluster;
  }

  static TestCluster empty() {
    return new TestCluster();
  }

  TestCluster with(Policy... added) {
    Collections.addAll(policies, added);
    return this;
  }

  TestCluster with(Pod... added) {
    Collections.addAll(pods, added);
    return this;
  }

  /** The graph, filled namespaces first, then pods, then policies. */
  public RuleGraph graph() {
    return fill(namespaces, pods, policies, false);
  }

  /**
   * The same graph filled in the opposite order: policies, then pods, then namespaces (as an
   * informer may deliver them), each list reversed.
   */
  RuleGraph graphInReverseOrder() {
    return fill(namespaces, pods, policies, true);
  }

  private static RuleGraph fill(List<Namespace> namespaces, List<Pod> pods,
      List<Policy> policies, boolean reversed) {
    RuleGraph graph = new RuleGraph();
    if (reversed) {
      reversedCopy(policies).forEach(graph::upsertPolicy);
      reversedCopy(pods).forEach(graph::upsertPod);
      reversedCopy(namespaces).forEach(graph::upsertNamespace);
    } else {
      namespaces.forEach(graph::upsertNamespace);
      pods.forEach(graph::upsertPod);
      policies.forEach(graph::upsertPolicy);
    }
    return graph;
  }

  private static <T> List<T> reversedCopy(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }
}
