package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What the scale benchmark writes is what the agent reads back: the converter's inverse. */
class ApiObjectsTest {
  private static final SyntheticCluster CLUSTER =
      SyntheticCluster.generate(ClusterSize.of(20, 1_000, 200), 42);
  private static final ModelConverter CONVERTER = new ModelConverter();

  @Test
  void everyObjectOfTheSyntheticClusterReadsBackAsItself() {
    assertThat(CLUSTER.namespaces()).allSatisfy(namespace ->
        assertThat(CONVERTER.namespace(ApiObjects.namespace(namespace))).isEqualTo(namespace));
    assertThat(CLUSTER.pods()).allSatisfy(pod ->
        assertThat(CONVERTER.pod(ApiObjects.pod(pod))).isEqualTo(pod));
    assertThat(CLUSTER.policies()).allSatisfy(policy ->
        assertThat(CONVERTER.networkPolicy(ApiObjects.networkPolicy(policy)))
            .isEqualTo(policy));
  }

  @Test
  void everyEventObjectReadsBackAsItself() {
    EventPlan plan = EventPlan.forNode(CLUSTER, "node-000");
    IntStream.range(0, 50).forEach(i -> {
      for (Pod pod : new Pod[] {plan.pendingPod(i), plan.runningPod(i)}) {
        assertThat(CONVERTER.pod(ApiObjects.pod(pod))).isEqualTo(pod);
      }
      for (Policy policy : new Policy[] {plan.policy(i), plan.updated(i, 1)}) {
        assertThat(CONVERTER.networkPolicy(ApiObjects.networkPolicy(policy)))
            .isEqualTo(policy);
      }
    });
  }
}
