package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.kernel.Leftover;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Node's Events against the fabric8 mock API server. */
@EnableKubernetesMockClient(crud = true)
class NodeEventsTest {
  private static final Leftover CHAIN = new Leftover("IPv4 chain PALISADE-RI-x.web-1a2b3c4d",
      "jumped to by foreign rule -A ADMIN-CHECKS -j PALISADE-RI-x.web-1a2b3c4d");
  private static final Leftover SET = new Leftover("set pal-web6",
      "used by foreign rule -A KUBE-FOREIGN -m set --match-set pal-web6 src -j RETURN");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private KubernetesMockServer server;
  private KubernetesClient client;
  private NodeEvents events;

  @AfterEach
  void close() {
    events.close();
  }

  @Test
  void oneWarningOnTheNodePerNewLeftoverAndNoneForOneThatStays() {
    events = new NodeEvents(client, "node-1",
        Clock.fixed(Instant.parse("2026-12-01T10:00:00.250Z"), ZoneOffset.UTC));

    events.accept(List.of(CHAIN));
    events.accept(List.of(CHAIN, SET));
    awaitEvents(2);
    events.accept(List.of());
    events.accept(List.of(CHAIN));
    awaitEvents(3);

    assertThat(nodeEvents()).extracting(Event::getMessage)
        .containsExactlyInAnyOrder(CHAIN.describe(), SET.describe(), CHAIN.describe());
    assertThat(nodeEvents()).allSatisfy(event -> {
      assertThat(event.getMetadata().getName()).startsWith("palisade-leftover.");
      assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("v1");
      assertThat(event.getInvolvedObject().getKind()).isEqualTo("Node");
      assertThat(event.getInvolvedObject().getName()).isEqualTo("node-1");
      assertThat(event.getType()).isEqualTo("Warning");
      assertThat(event.getReason()).isEqualTo("PalisadeLeftover");
      assertThat(event.getSource().getComponent()).isEqualTo("palisade-agent");
      assertThat(event.getReportingComponent()).isEqualTo("palisade-agent");
      assertThat(event.getReportingInstance()).isEqualTo("node-1");
      assertThat(event.getCount()).isOne();
      assertThat(event.getFirstTimestamp()).isEqualTo("2026-12-01T10:00:00Z")
          .isEqualTo(event.getLastTimestamp());
    });
  }

  private void awaitEvents(int count) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (nodeEvents().size() < count) {
      assertThat(System.nanoTime()).as("%s Events within %s", count, TIMEOUT)
          .isLessThan(deadline);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private List<Event> nodeEvents() {
    return client.v1().events().inNamespace("default").list().getItems();
  }
}
