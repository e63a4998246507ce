package dev.palisade.agent;

import dev.palisade.dataplane.kernel.Leftover;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the cluster, not only the agent's log, what a foreign object holds in this node's kernel:
 * one Warning Event on the Node per leftover that was not there at the last report, so that
 * {@code kubectl describe node} and {@code kubectl get events} name the foreign rule an operator
 * has to remove.
 *
 * <p>The Events are created on a thread of their own: the sync that reports the leftovers never
 * waits for the API server, and a refused or failed create (a 403 where the agent's role lacks
 * the grant, the API server away) is logged and dropped, never retried; the log line and the
 * metric still report the leftover.
 */
final class NodeEvents implements Consumer<List<Leftover>>, AutoCloseable {
  private static final String REASON = "PalisadeLeftover";
  private static final String COMPONENT = "palisade-agent";
  /** Where Events about cluster-scoped objects such as Nodes live. */
  private static final String NAMESPACE = "default";
  private static final Logger log = LoggerFactory.getLogger(NodeEvents.class);

  private final KubernetesClient client;
  private final String nodeName;
  private final Clock clock;
  private final ExecutorService creator = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "palisade-node-events");
    thread.setDaemon(true);
    return thread;
  });
  /** What the last report held: a leftover that stays is not announced again. */
  private List<Leftover> reported = List.of();

  NodeEvents(KubernetesClient client, String nodeName, Clock clock) {
    this.client = client;
    this.nodeName = nodeName;
    this.clock = clock;
  }

  /** Creates an Event for each of {@code leftovers} that the last call did not hold. */
  @Override
  public void accept(List<Leftover> leftovers) {
    List<Leftover> added = new ArrayList<>(leftovers);
    added.removeAll(reported);
    reported = List.copyOf(leftovers);
    for (Leftover leftover : added) {
      Event event = eventFor(leftover);
      creator.execute(() -> create(event, leftover));
    }
  }

  private void create(Event event, Leftover leftover) {
    try {
      client.v1().events().inNamespace(NAMESPACE).resource(event).create();
    } catch (KubernetesClientException e) {
      log.warn("could not create an Event on node {} for the leftover {} (the log and the "
          + "metric still report it): {}", nodeName, leftover.describe(), e.getMessage());
    }
  }

  private Event eventFor(Leftover leftover) {
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    return new EventBuilder()
        .withNewMetadata()
          .withGenerateName("palisade-leftover.")
          .withNamespace(NAMESPACE)
        .endMetadata()
        // uid: the node's name, as the kubelet sets it on its Node Events: kubectl describe node
        // looks for the Node's uid and for its name there, and never for an empty one.
        .withNewInvolvedObject()
          .withApiVersion("v1")
          .withKind("Node")
          .withName(nodeName)
          .withUid(nodeName)
        .endInvolvedObject()
        .withType("Warning")
        .withReason(REASON)
        .withMessage(leftover.describe())
        .withCount(1)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withSource(new EventSource(COMPONENT, nodeName))
        .withReportingComponent(COMPONENT)
        .withReportingInstance(nodeName)
        .build();
  }

  /** Stops creating Events; one being created may still complete. */
  @Override
  public void close() {
    creator.shutdown();
  }
}
