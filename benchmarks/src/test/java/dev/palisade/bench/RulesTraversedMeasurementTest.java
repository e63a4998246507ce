package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.bench.RulesTraversedMeasurement.Row;
import dev.palisade.bench.RulesTraversedMeasurement.Walk;
import dev.palisade.dataplane.walk.PacketWalker.Outcome;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The packet-path figure at small sizes (100 pods a node at 500, 1,000 and 2,000 pods): for a
 * fixed number of policies selecting the destination, the rules a packet is tested against do
 * not grow with the cluster, and they do grow with the policies.
 */
class RulesTraversedMeasurementTest {
  private static final List<ClusterSize> SIZES = List.of(
      new ClusterSize(5, 500, 50, 5),
      new ClusterSize(10, 1_000, 100, 10),
      new ClusterSize(20, 2_000, 200, 20));
  private static final List<Integer> POLICY_COUNTS = List.of(1, 4);
  private static final List<Row> ROWS = RulesTraversedMeasurement.measure(SIZES, POLICY_COUNTS);

  @Test
  void everySizeAndPolicyCountHasAnAllowedAndADeniedWalk() {
    assertThat(ROWS).hasSize(SIZES.size() * POLICY_COUNTS.size());
    assertThat(ROWS).allSatisfy(row -> {
      assertThat(row.allowed().outcome()).isEqualTo(Outcome.PASSED);
      assertThat(row.denied().outcome()).isEqualTo(Outcome.DROPPED);
      assertThat(row.allowed().dispatchRules()).isPositive();
      assertThat(row.allowed().policyRules()).isPositive();
      assertThat(row.isolatedLocalPods()).isPositive();
    });
    String table = RulesTraversedMeasurement.table(ROWS);
    assertThat(table.lines()).hasSize(2 + ROWS.size());
    assertThat(table).contains("| 4 | 2,000 | 200 |");
    Row first = ROWS.get(0);
    assertThat(RulesTraversedMeasurement.summary(ROWS))
        .startsWith("k=1: " + first.allowed().total() + "/" + first.denied().total() + " at 500, ")
        .contains("; k=4: ")
        .endsWith(" at 2,000 pods (rules tested, allowed/denied packet)");
  }

  @Test
  void forAFixedPolicyCountTheRulesTestedDoNotGrowWithTheCluster() {
    Map<Integer, List<Row>> byPolicies =
        ROWS.stream().collect(Collectors.groupingBy(Row::policies));
    byPolicies.forEach((policies, rows) -> {
      Row smallest = rows.get(0);
      assertThat(rows).as("%s policies", policies).allSatisfy(row -> {
        assertThat(row.allowed().policyRules()).isEqualTo(smallest.allowed().policyRules());
        assertThat(row.denied().policyRules()).isEqualTo(smallest.denied().policyRules());
        assertThat(row.allowed().total()).isLessThanOrEqualTo(smallest.allowed().total());
        assertThat(row.denied().total()).isLessThanOrEqualTo(smallest.denied().total());
      });
    });
    assertThat(RulesTraversedMeasurement.independentOfClusterSize(ROWS)).isTrue();
  }

  @Test
  void aCountThatGrowsWithTheClusterIsNotIndependentOfIt() {
    Row small = ROWS.get(0);
    Walk longer = new Walk(small.allowed().outcome(), small.allowed().dispatchRules() + 1,
        small.allowed().policyRules());
    Row larger = new Row(small.policies(), SIZES.get(2), small.isolatedLocalPods(), longer,
        small.denied());

    assertThat(RulesTraversedMeasurement.independentOfClusterSize(List.of(small, larger)))
        .isFalse();
    assertThat(RulesTraversedMeasurement.independentOfClusterSize(List.of(larger, small)))
        .isFalse();
  }

  @Test
  void theRulesTestedGrowWithThePoliciesSelectingThePod() {
    Row one = ROWS.get(0);
    Row four = ROWS.get(1);
    assertThat(four.size()).isEqualTo(one.size());
    assertThat(four.allowed().policyRules()).isGreaterThan(one.allowed().policyRules());
    assertThat(four.denied().policyRules()).isGreaterThan(one.denied().policyRules());
    assertThat(four.allowed().dispatchRules()).isEqualTo(one.allowed().dispatchRules());
  }
}
