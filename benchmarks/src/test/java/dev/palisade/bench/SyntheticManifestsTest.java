package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.k8s.ModelConverter;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The API objects of the synthetic cluster mean to the agent what the model values do. */
class SyntheticManifestsTest {
  private static final SyntheticCluster CLUSTER =
      SyntheticCluster.generate(ClusterSize.of(20, 1_000, 200), 42);
  private final ModelConverter converter = new ModelConverter();

  @Test
  void everyObjectConvertsBackToItsModelValue() {
    assertThat(CLUSTER.namespaces()).allSatisfy(namespace -> assertThat(
        converter.namespace(SyntheticManifests.namespace(namespace))).isEqualTo(namespace));
    assertThat(CLUSTER.pods()).allSatisfy(pod -> assertThat(
        converter.pod(SyntheticManifests.pod(pod))).isEqualTo(pod));
    assertThat(CLUSTER.policies()).allSatisfy(policy -> assertThat(
        converter.networkPolicy(SyntheticManifests.networkPolicy(policy))).isEqualTo(policy));
  }

  @Test
  void aPodCarriesWhatARealApiServerServes() {
    Pod pod = SyntheticManifests.pod(CLUSTER.pods().get(0));
    assertThat(pod.getMetadata().getManagedFields()).hasSize(2);
    assertThat(pod.getMetadata().getAnnotations())
        .containsKey("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(pod.getSpec().getVolumes()).isNotEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getEnv()).isNotEmpty();
    assertThat(pod.getStatus().getConditions()).isNotEmpty();
    assertThat(new KubernetesSerialization().asJson(pod).length())
        .as("JSON size, as a Deployment's pod in a real cluster").isBetween(3_000, 8_000);
  }
}
