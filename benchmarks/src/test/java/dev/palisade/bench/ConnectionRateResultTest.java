package dev.palisade.bench;

import static dev.palisade.bench.ConnectionRateMeasurement.RoundKind.CONNTRACK_ONLY;
import static dev.palisade.bench.ConnectionRateMeasurement.RoundKind.LOADED;
import static dev.palisade.bench.ConnectionRateMeasurement.RoundKind.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import dev.palisade.bench.ConnectionRateMeasurement.Backend;
import dev.palisade.bench.ConnectionRateMeasurement.Result;
import dev.palisade.bench.ConnectionRateMeasurement.Round;
import dev.palisade.bench.ConnectionRateMeasurement.RoundKind;
import dev.palisade.bench.ConnectionRateMeasurement.Settings;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.DirectionVerdict;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Evaluator;
import dev.palisade.model.eval.Traffic;
import dev.palisade.model.eval.Verdict;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The pure parts of the connection-rate measurement: the pair it picks and its arithmetic. */
class ConnectionRateResultTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void theConnectionIsAllowedByAnIngressPolicyOfTheServerWithTheMostPolicies() {
    RuleGraph graph = SyntheticCluster.generate(new ClusterSize(10, 1_000, 100, 10),
        SyntheticCluster.BENCHMARK_SEED).toGraph();

    AllowedConnection connection = AllowedConnection.find(graph, ConnectionRateMeasurement.NODE);

    Verdict verdict = new Evaluator(graph).verdict(
        Endpoint.of(connection.client(), IpFamily.V4),
        Endpoint.of(connection.server(), IpFamily.V4),
        Traffic.of(Protocol.TCP, connection.port()));
    assertThat(verdict.allowed()).isTrue();
    assertThat(verdict.ingress().outcome()).isEqualTo(DirectionVerdict.Outcome.ALLOWED);
    assertThat(connection.serverPolicies())
        .isEqualTo(graph.policiesSelecting(connection.server().ref()).size())
        .isEqualTo(graph.endpointsOnNode(ConnectionRateMeasurement.NODE).stream()
            .filter(pod -> graph.isIsolated(pod.ref(), Direction.INGRESS))
            .mapToInt(pod -> graph.policiesSelecting(pod.ref()).size()).max().orElseThrow());
  }

  @Test
  void mediansOfEachKindAndTheirRatios() {
    Result result = result(
        oneSecond(1, LOADED, 900),
        oneSecond(2, NONE, 1_000),
        oneSecond(3, CONNTRACK_ONLY, 850),
        new Round(4, LOADED, 2_700, 0, 3 * SECOND, 2_700),
        new Round(5, NONE, 5_000, 0, 5 * SECOND, 0),
        oneSecond(6, CONNTRACK_ONLY, 800),
        oneSecond(7, LOADED, 100),
        new Round(8, NONE, 3_000, 0, 2 * SECOND, 0),
        oneSecond(9, CONNTRACK_ONLY, 1_000));

    assertThat(result.median(LOADED)).isEqualTo(900.0);
    assertThat(result.median(NONE)).isEqualTo(1_000.0);
    assertThat(result.median(CONNTRACK_ONLY)).isEqualTo(850.0);
    assertThat(result.ratio()).isEqualTo(0.9);
    assertThat(result.ratioToConntrackOnly()).isEqualTo(900.0 / 850.0);
    assertThat(result.conntrackAloneRatio()).isEqualTo(0.85);
    assertThat(result.table())
        .contains("| 4 | loaded | 900 | 2,700 | 0 | 2,700 |")
        .contains("| 8 | none | 1,500 | 3,000 | 0 |  |")
        .contains("| 9 | none, conntrack on | 1,000 | 1,000 | 0 |  |")
        .contains("ratio 0.900")
        .contains("ratio 1.059 (conntrack alone: 0.850 of without rules)")
        .contains("before 1.00 2.00 3.00, after 4.00 5.00 6.00");
    assertThat(result.summary()).isEqualTo("0.900 (medians 900/s loaded, 1,000/s without;"
        + " 1.059 against conntrack on without rules, 850/s, which is 0.850 of without;"
        + " 8 rounds of each kind, 5 s each)");
  }

  @Test
  void anEvenNumberOfRoundsTakesTheMeanOfTheMiddleTwo() {
    Result result = result(oneSecond(1, LOADED, 100), oneSecond(2, NONE, 100),
        oneSecond(3, LOADED, 300), oneSecond(4, NONE, 100));

    assertThat(result.median(LOADED)).isEqualTo(200.0);
    assertThat(result.ratio()).isEqualTo(2.0);
  }

  /** A one-second round without failures; a loaded one counted each connection's packet. */
  private static Round oneSecond(int index, RoundKind kind, long connections) {
    return new Round(index, kind, connections, 0, SECOND, kind == LOADED ? connections : 0);
  }

  private static Result result(Round... rounds) {
    RuleGraph graph = SyntheticCluster.generate(new ClusterSize(3, 30, 3, 1),
        SyntheticCluster.BENCHMARK_SEED).toGraph();
    List<Pod> pods = graph.pods();
    return new Result(Settings.DEFAULT, Backend.IPTABLES,
        new AllowedConnection(pods.get(0), pods.get(1), 80, 1), "10 rules, 2 sets", 12,
        ImmutableList.copyOf(rounds), OptionalDouble.empty(), "1.00 2.00 3.00",
        "4.00 5.00 6.00");
  }
}
