package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import dev.palisade.bench.RuleCounters.RuleKey;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.walk.PacketWalker;
import dev.palisade.dataplane.walk.PacketWalker.Outcome;
import dev.palisade.dataplane.walk.PacketWalker.Step;
import dev.palisade.dataplane.walk.PacketWalker.Trace;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The walker that {@link RulesTraversedMeasurement} counts with agrees with the real kernel: a
 * synthetic cluster's node state with the {@link ProbeWorkload} is applied by the real writer to
 * a node namespace, the client connects to the server through it, and the rules whose packet
 * counters moved are exactly the rules the walker says the packet matched, and the connection
 * succeeds exactly when the walker lets it pass. Since iptables tests a chain's rules in order
 * until one matches with a verdict, the matched rules fix the rules tested: agreeing on the
 * first means agreeing on the count.
 *
 * <p>The connection's later packets are not walked, and need not be: established and related
 * packets never enter Palisade's chains (the hook's jump leaves them out), so no counter of ours
 * counts them.
 */
@Tag("kernel")
class RulesTraversedKernelTest {
  private static final ClusterSize SIZE = new ClusterSize(5, 500, 50, 5);
  private static final int POLICIES = 4;

  @Test
  void theRulesWhoseCountersMoveAreTheRulesTheWalkerMatchesAndTheVerdictsAgree() {
    RuleGraph graph = SyntheticCluster.generate(SIZE, SyntheticCluster.BENCHMARK_SEED).toGraph();
    ProbeWorkload probe = ProbeWorkload.addTo(graph, RulesTraversedMeasurement.NODE, POLICIES);
    DesiredState desired =
        NodeCompiler.compile(graph, RulesTraversedMeasurement.NODE, DataplaneSettings.DEFAULTS);
    PacketWalker walker = new PacketWalker(desired.v4());

    try (PacketPathLab lab = PacketPathLab.start("palrules",
        List.of(probe.server(), probe.client()))) {
      lab.apply(desired);
      lab.cluster().serve(probe.server().ref().toString(), Protocol.TCP,
          ProbeWorkload.ALLOWED_PORT);
      for (int port : List.of(ProbeWorkload.ALLOWED_PORT, ProbeWorkload.DENIED_PORT)) {
        Trace trace = RulesTraversedMeasurement.trace(walker, probe, port);
        ImmutableMap<RuleKey, Long> before = lab.packetCounters();
        boolean reached = lab.cluster().reaches(probe.client().ref().toString(),
            probe.serverAddress(), Protocol.TCP, port);
        ImmutableMap<RuleKey, Long> after = lab.packetCounters();

        assertThat(reached).as("port %s reached", port)
            .isEqualTo(trace.outcome() == Outcome.PASSED);
        assertThat(moved(before, after)).as("rules counting port %s", port)
            .isEqualTo(trace.steps().stream().filter(Step::matched)
                .map(step -> new RuleKey(step.chain(), step.rule()))
                .collect(Collectors.toSet()));
        assertThat(trace.rulesEvaluated())
            .isGreaterThan((int) trace.steps().stream().filter(Step::matched).count());
      }
    }
  }

  private static Set<RuleKey> moved(ImmutableMap<RuleKey, Long> before,
      ImmutableMap<RuleKey, Long> after) {
    return after.entrySet().stream()
        .filter(entry -> entry.getValue() > before.getOrDefault(entry.getKey(), 0L))
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }
}
