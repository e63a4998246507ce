package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.k8s.TrimmedObjects;
import dev.palisade.testing.Eventually;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's informer cache with a real fabric8 informer, against an API server that serves
 * the initial pod list in two pages and holds the second back until the handler has seen the
 * first page's pods (or 5 s have passed, less than the client's request timeout): the handler
 * must get the list's adds page by page, so that the graph is built while the rest of the list
 * is still coming.
 */
class TrimmingItemStoreTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final int PAGE = 3;

  private final Set<String> handled = ConcurrentHashMap.newKeySet();
  private final CountDownLatch firstPageHandled = new CountDownLatch(PAGE);
  private volatile boolean secondPageWaitedInVain;
  private KubernetesMockServer server;
  private KubernetesClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.destroy();
    }
  }

  @Test
  void theInitialListsAddsReachTheHandlerPageByPageAndTheCacheHoldsTrimmedCopies()
      throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new TwoPageDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    TrimmingItemStore<Pod> store = new TrimmingItemStore<>(new TrimmedObjects()::pod);
    SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().withLimit((long) PAGE)
        .runnableInformer(0);
    informer.itemStore(store);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        handled.add(pod.getMetadata().getName());
        firstPageHandled.countDown();
      }

      @Override
      public void onUpdate(Pod previous, Pod pod) {}

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {}
    });
    try {
      informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      Eventually.within(Duration.ofSeconds(30), () ->
          assertThat(handled).containsExactlyInAnyOrderElementsOf(names(0, 2 * PAGE)));

      assertThat(secondPageWaitedInVain)
          .as("the first page's adds reached the handler before the second page was served")
          .isFalse();
      assertThat(store.size()).isEqualTo(2 * PAGE);
      assertThat(store.versionChanges()).isEqualTo(2 * PAGE);
      Pod cached = store.get("default/pod-0");
      assertThat(cached.getMetadata().getManagedFields()).isNull();
      assertThat(cached.getMetadata().getLabels()).containsEntry("app", "web");
      assertThat(cached.getStatus().getPodIP()).isEqualTo("10.0.0.1");
    } finally {
      informer.stop();
    }
  }

  private static List<String> names(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "pod-" + i).toList();
  }

  private static PodList page(int from, String continueToken) {
    return new PodListBuilder()
        .withNewMetadata().withResourceVersion("100").withContinue(continueToken).endMetadata()
        .withItems(IntStream.range(from, from + PAGE).mapToObj(i -> new PodBuilder()
            .withNewMetadata().withNamespace("default").withName("pod-" + i)
            .withResourceVersion(String.valueOf(10 + i)).addToLabels("app", "web")
            .withManagedFields(new ManagedFieldsEntry()).endMetadata()
            .withNewSpec().withNodeName("node-1").endSpec()
            .withNewStatus().withPhase("Running").withPodIP("10.0.0." + (i + 1)).endStatus()
            .build()).toList())
        .build();
  }

  /** The pod list in two pages; watches get an empty stream (the informer just retries). */
  private final class TwoPageDispatcher extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      if (!path.startsWith("/api/v1/pods") || path.contains("watch=true")) {
        return new MockResponse().setResponseCode(200).setBody("");
      }
      if (!path.contains("continue=")) {
        return json(page(0, "second-page"));
      }
      try {
        secondPageWaitedInVain = !firstPageHandled.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return json(page(PAGE, null));
    }

    private MockResponse json(Object body) {
      return new MockResponse().setResponseCode(200)
          .setHeader("Content-Type", "application/json").setBody(JSON.asJson(body));
    }
  }
}
