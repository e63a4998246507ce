package dev.palisade.controller;

import dev.palisade.testing.Eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.testing.ClusterLoad;
import dev.palisade.testing.SlowInformerClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A controller starting against a full cluster publishes nothing about a partial one: with
 * every policy selecting pods and every named port declared, the complete cluster has no
 * finding, while any analysis of a partly taken-in cluster would report policies that select
 * no pod (PAL001). The controller's informers deliver slowly ({@link SlowInformerClient}), so
 * an analysis that ran as soon as the caches were called synced, or that read handler-fed
 * state, would see a partial cluster.
 */
class ControllerColdStartTest {
  private static final ClusterLoad LOAD = new ClusterLoad(10, 1500, 150, "node-1", 20);

  @Test
  void theFirstAnalysisSeesTheWholeClusterAndNoEventIsEverPublished() throws Exception {
    try (MockCluster cluster = new MockCluster();
        SlowInformerClient slow = new SlowInformerClient(cluster.client, Duration.ofMillis(1))) {
      ClusterLoad.Written written = LOAD.writeTo(cluster.client);
      List<Event> published = new CopyOnWriteArrayList<>();
      try (Watch events = cluster.client.v1().events().inAnyNamespace().watch(
          new Watcher<>() {
            @Override
            public void eventReceived(Action action, Event event) {
              published.add(event);
            }

            @Override
            public void onClose(WatcherException cause) { }
          })) {
        PalisadeController controller = cluster.startController("replica-1",
            new SimpleMeterRegistry(), slow.client());
        try {
          Eventually.within(Duration.ofSeconds(60), () -> assertThat(
              controller.latestAnalysis().stats().policies())
              .isEqualTo(written.policies().size()));
          Thread.sleep(2000);
          assertThat(controller.latestAnalysis().stats().selectedPods())
              .isEqualTo(written.pods().size());
          assertThat(published).as("Events published about the cluster").isEmpty();
        } finally {
          controller.close();
        }
      }
    }
  }
}
