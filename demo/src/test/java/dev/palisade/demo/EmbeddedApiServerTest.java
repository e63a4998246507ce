package dev.palisade.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import dev.palisade.testing.Eventually;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Preloaded objects are served as created ones are, lists come in pages when asked, and a watch
 * resumed across a deletion is sent back to list.
 */
class EmbeddedApiServerTest {

  /**
   * An informer's watch ends (its timeout of 5 to 10 minutes, or the server away) and resumes
   * from the last resource version it saw. The mock server replays no history: a resumed watch
   * gets ADDED events for what exists, so a deletion in the gap would stay in the informer's
   * cache for good (an e2e cluster that lived longer than the watch timeout kept enforcing a
   * deleted policy). The server answers such a watch as a real one whose history is gone, with
   * 410 Expired, and the informer lists again.
   */
  @Test
  void aWatchResumedAcrossADeletionIsToldToListAgain() throws Exception {
    try (EmbeddedApiServer server = EmbeddedApiServer.start();
        KubernetesClient client = server.client()) {
      for (String name : List.of("a", "b")) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
            .endMetadata().build()).create();
      }
      SharedIndexInformer<Namespace> informer = client.namespaces().inform();
      try {
        Eventually.within(Duration.ofSeconds(30), () -> assertThat(informer.getStore()
            .listKeys()).containsExactlyInAnyOrder("a", "b"));

        DemoTestAccess.pause(server);
        server.dispatcher.handleDelete("/api/v1/namespaces/b");
        DemoTestAccess.resume(server);

        Eventually.within(Duration.ofSeconds(60), () -> assertThat(informer.getStore()
            .listKeys()).as("the informer's cache once its watch resumed")
            .containsExactly("a"));
      } finally {
        informer.close();
      }
    }
  }

  /**
   * An informer watches from its list's resource version; a real API server then sends only
   * what changed after it. The mock server's replay of every stored object would hand the
   * informer the whole cluster twice at every start.
   */
  @Test
  void aWatchFromAResourceVersionIsSentOnlyWhatChangedAfterIt() throws Exception {
    try (EmbeddedApiServer server = EmbeddedApiServer.start();
        KubernetesClient client = server.client()) {
      for (int i = 0; i < 3; i++) {
        client.pods().inNamespace("x").resource(new PodBuilder().withNewMetadata()
            .withName("old-" + i).endMetadata().build()).create();
      }
      String listed = client.pods().inAnyNamespace().list().getMetadata()
          .getResourceVersion();
      List<String> events = new CopyOnWriteArrayList<>();
      try (Watch watch = client.pods().inAnyNamespace().watch(new ListOptionsBuilder()
          .withResourceVersion(listed).build(), new Watcher<Pod>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
              events.add(action + " " + pod.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {}
          })) {
        client.pods().inNamespace("x").resource(new PodBuilder().withNewMetadata()
            .withName("new").endMetadata().build()).create();
        client.pods().inNamespace("x").withName("old-1").edit(pod -> new PodBuilder(pod)
            .editMetadata().addToLabels("edited", "yes").endMetadata().build());
        client.pods().inNamespace("x").withName("old-2").delete();

        Eventually.within(Duration.ofSeconds(30), () -> assertThat(events)
            .containsExactly("ADDED new", "MODIFIED old-1", "DELETED old-2"));
      }
    }
  }

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
