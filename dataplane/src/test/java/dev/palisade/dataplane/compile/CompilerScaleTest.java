package dev.palisade.dataplane.compile;

import static dev.palisade.model.testing.Builders.named;
import static dev.palisade.model.testing.Builders.namespace;
import static dev.palisade.model.testing.Builders.namespacePeer;
import static dev.palisade.model.testing.Builders.peer;
import static dev.palisade.model.testing.Builders.pod;
import static dev.palisade.model.testing.Builders.podPeer;
import static dev.palisade.model.testing.Builders.policy;
import static dev.palisade.model.testing.Builders.rule;
import static dev.palisade.model.testing.Builders.selector;
import static dev.palisade.model.testing.Builders.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.model.Direction;
import dev.palisade.model.LabelSelector;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The size the issue sets: 10,000 cluster pods, 1,000 policies, 110 pods on the compiled node.
 * Compiling one node must take at most 200 ms of the compiling thread's CPU time: the median
 * of 9 runs after 20 warm-up runs that let the JIT compile the hot paths, and CPU time rather
 * than wall time, so that other processes on a busy shared machine do not decide the result.
 */
class CompilerScaleTest {
  static final int NAMESPACES = 100;
  static final int PODS_PER_NAMESPACE = 100;
  static final int POLICIES_PER_NAMESPACE = 10;
  static final int NODES = 91;
  private static final long BUDGET_MILLIS = 200;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * Namespace {@code ns<i>} (label team=t<i%10>) holds pods {@code p<j>} with app=a<j%10> and
   * role=r<j%5>, each exposing port "http"; pod j of namespace i runs on node (i*100+j)%91,
   * so node-0 holds 110 pods. Each namespace has 10 policies: policy k selects app=a<k>,
   * allows ingress from role=r<k%5> in its namespace on TCP 80 and from team=t<k> namespaces
   * on the named port, and egress to app=a<(k+1)%10> pods of any namespace.
   */
  static RuleGraph cluster() {
    RuleGraph graph = new RuleGraph();
    for (int i = 0; i < NAMESPACES; i++) {
      String ns = "ns" + i;
      graph.upsertNamespace(namespace(ns, "team", "t" + i % 10));
      for (int j = 0; j < PODS_PER_NAMESPACE; j++) {
        int n = i * PODS_PER_NAMESPACE + j;
        graph.upsertPod(pod("p" + j).in(ns).labels("app", "a" + j % 10, "role", "r" + j % 5)
            .ip("10." + (n >> 16 & 0xff) + "." + (n >> 8 & 0xff) + "." + (n & 0xff))
            .node("node-" + n % NODES).port("http", 8000 + j % 7, Protocol.TCP).build());
      }
      for (int k = 0; k < POLICIES_PER_NAMESPACE; k++) {
        graph.upsertPolicy(policy("pol" + k).in(ns).select(selector("app", "a" + k))
            .types(Direction.INGRESS, Direction.EGRESS)
            .ingress(rule().peers(podPeer(ns, selector("role", "r" + k % 5))).ports(tcp(80)),
                rule().peers(namespacePeer(selector("team", "t" + k)))
                    .ports(named(Protocol.TCP, "http")))
            .egress(rule().peers(peer(LabelSelector.EVERYTHING, selector("app", "a" + (k + 1) % 10))))
            .build());
      }
    }
    return graph;
  }

  @Test
  void compilesANodeOfTheReferenceSizeWithinBudget() {
    RuleGraph graph = cluster();
    assertThat(graph.pods()).hasSize(NAMESPACES * PODS_PER_NAMESPACE);
    assertThat(graph.policies()).hasSize(NAMESPACES * POLICIES_PER_NAMESPACE);
    assertThat(graph.endpointsOnNode("node-0")).hasSize(110);

    DesiredState state = null;
    for (int warmUp = 0; warmUp < 20; warmUp++) {
      state = NodeCompiler.compile(graph, "node-0", DataplaneSettings.DEFAULTS);
    }
    long[] millis = new long[9];
    for (int run = 0; run < millis.length; run++) {
      long start = THREADS.getCurrentThreadCpuTime();
      NodeCompiler.compile(graph, "node-0", DataplaneSettings.DEFAULTS);
      millis[run] = (THREADS.getCurrentThreadCpuTime() - start) / 1_000_000;
    }
    Arrays.sort(millis);
    FamilyState v4 = state.v4();
    System.out.printf("compile node-0: median %d ms CPU (runs %s); %d chains, %d rules, %d sets,"
            + " %d set members%n", millis[millis.length / 2], Arrays.toString(millis),
        v4.chains().size(), v4.chains().values().stream().mapToInt(c -> c.rules().size()).sum(),
        v4.sets().size(), v4.sets().values().stream().mapToInt(s -> s.members().size()).sum());
    assertThat(millis[millis.length / 2]).as("median compile time in ms")
        .isLessThanOrEqualTo(BUDGET_MILLIS);
  }
}
