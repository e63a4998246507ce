package dev.palisade.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Preloaded objects are served as created ones are, and lists come in pages when asked. */
class EmbeddedApiServerTest {

  @Test
  void preloadedObjectsAreListedInPagesFromOneSnapshot() {
    try (EmbeddedApiServer server = EmbeddedApiServer.start();
        KubernetesClient client = server.client()) {
      List<HasMetadata> pods = new ArrayList<>(IntStream.range(0, 1_201)
          .mapToObj(i -> new PodBuilder().withNewMetadata().withName("pod-" + i)
              .withNamespace(i % 2 == 0 ? "x" : "y").addToLabels("app", "a" + i % 3)
              .endMetadata().build())
          .toList());
      server.preload(pods);

      List<String> names = new ArrayList<>();
      List<Integer> pageSizes = new ArrayList<>();
      String token = null;
      do {
        PodList page = client.pods().inAnyNamespace().list(new ListOptionsBuilder()
            .withLimit(500L).withContinue(token).build());
        page.getItems().forEach(pod -> names.add(pod.getMetadata().getName()));
        pageSizes.add(page.getItems().size());
        token = page.getMetadata().getContinue();
        if (pageSizes.size() == 1) {
          client.pods().inNamespace("x").withName("pod-0").delete(); // after the snapshot
        }
      } while (token != null && !token.isEmpty());

      assertThat(pageSizes).containsExactly(500, 500, 201);
      assertThat(names).hasSize(1_201).doesNotHaveDuplicates().contains("pod-0");
      assertThat(client.pods().inNamespace("y").withLabel("app", "a1").list(
          new ListOptionsBuilder().withLimit(1_000L).build()).getItems())
          .as("other parameters (a label selector, a namespace) still apply").hasSize(200)
          .allSatisfy(pod -> assertThat(pod.getMetadata().getResourceVersion()).isNotEmpty());
      assertThat(client.pods().inAnyNamespace().list().getItems()).as("unpaged").hasSize(1_200);
      assertThatThrownBy(() -> client.pods().inAnyNamespace().list(new ListOptionsBuilder()
          .withLimit(500L).withContinue("99:500").build()))
          .isInstanceOf(KubernetesClientException.class).hasMessageContaining("410");
    }
  }
}
