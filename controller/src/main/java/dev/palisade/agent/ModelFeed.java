package dev.palisade.agent;

import com.google.common.base.Ticker;
import dev.palisade.k8s.FailClosedPolicy;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.RuleGraph;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns informer events into rule-graph changes: informer threads convert each event and queue
 * the change with the time it was received, then request a sync; the sync thread takes the
 * queued changes into the graph ({@link #takeIn}) right before it compiles. The graph thus has one
 * owner, an informer thread never waits for a compilation, and an event's enforcement delay is
 * measured from its receipt, not from whenever a lock became free.
 *
 * <p>A policy the converter refuses (one the API server stores with only a warning, such as the
 * leading-zero CIDR {@code 010.1.0.0/16}; a newer API; a bug) is enforced fail-closed
 * ({@link ModelConverter#failClosed}), logged and counted: leaving it out would leave the pods it
 * selects open. A namespace or pod the converter refuses is logged and counted, and the graph
 * keeps what it had for that object.
 *
 * <p>Each handler also records, per object, the resource version the graph took in (refused
 * objects included: the graph has decided about them), so that {@link GraphCompleteness} can
 * tell when the graph holds all the informer has cached.
 *
 * <p>Threading: informer threads call the handlers, which touch only the queue; the sync thread
 * calls {@link #takeIn} and compiles, both under the graph's monitor (for readers on other
 * threads).
 */
final class ModelFeed {
  private static final Logger log = LoggerFactory.getLogger(ModelFeed.class);

  private final RuleGraph graph;
  private final ModelConverter converter;
  private final EnforcementTracker tracker;
  private final AgentMetrics metrics;
  private final Runnable requestSync;
  private final Ticker ticker;
  /** Converted changes waiting for the sync thread, in the order they were received. */
  private final Queue<ReceivedChange> received = new ConcurrentLinkedQueue<>();
  /** The policies enforced fail-closed now. */
  private final Set<ObjectRef> failingClosed = ConcurrentHashMap.newKeySet();

  ModelFeed(RuleGraph graph, ModelConverter converter, EnforcementTracker tracker,
      AgentMetrics metrics, Runnable requestSync, Ticker ticker) {
    this.graph = graph;
    this.converter = converter;
    this.tracker = tracker;
    this.metrics = metrics;
    this.requestSync = requestSync;
    this.ticker = ticker;
  }

  /** Whether changes are waiting for {@link #takeIn}. */
  boolean hasReceived() {
    return !received.isEmpty();
  }

  /**
   * Takes every queued change into the graph, in the order received; returns what they touched.
   * Called by the sync thread only, holding the graph's monitor.
   */
  GraphDelta takeIn() {
    List<GraphDelta> touched = new ArrayList<>();
    for (ReceivedChange change = received.poll(); change != null; change = received.poll()) {
      touched.add(change.change().apply());
      tracker.received(change.handler().kind, change.resourceVersion(),
          change.receivedAtNanos());
      // after the graph took the change in: a reader that sees this version sees the graph
      boolean versionChanged = change.deletion()
          ? change.handler().takenIn.remove(change.key()) != null
          : !Objects.equals(change.handler().takenIn.put(change.key(),
              change.resourceVersion()), change.resourceVersion());
      if (versionChanged) {
        change.handler().versionChangesTakenIn.incrementAndGet();
      }
    }
    return GraphDelta.union(touched);
  }

  Handler<Namespace> namespaces() {
    return new Handler<>("Namespace",
        namespace -> {
          dev.palisade.model.Namespace converted = converter.namespace(namespace);
          return () -> graph.upsertNamespace(converted);
        },
        namespace -> () -> graph.deleteNamespace(namespace.getMetadata().getName()));
  }

  Handler<Pod> pods() {
    return new Handler<>("Pod",
        pod -> {
          dev.palisade.model.Pod converted = converter.pod(pod);
          return () -> graph.upsertPod(converted);
        },
        pod -> () -> graph.deletePod(refOf(pod)));
  }

  Handler<NetworkPolicy> policies() {
    return new Handler<>("NetworkPolicy",
        policy -> {
          dev.palisade.model.Policy converted = convertOrFailClosed(policy);
          return () -> graph.upsertPolicy(converted);
        },
        policy -> {
          noteFailingClosed(refOf(policy), false);
          return () -> graph.deletePolicy(refOf(policy));
        });
  }

  private dev.palisade.model.Policy convertOrFailClosed(NetworkPolicy policy) {
    try {
      dev.palisade.model.Policy converted = converter.networkPolicy(policy);
      noteFailingClosed(converted.ref(), false);
      return converted;
    } catch (InvalidInputException e) {
      dev.palisade.model.Policy standIn = converter.failClosed(policy);
      metrics.invalidObject("NetworkPolicy");
      log.error("{}", new FailClosedPolicy(e, standIn).warning());
      noteFailingClosed(standIn.ref(), true);
      return standIn;
    }
  }

  private void noteFailingClosed(ObjectRef policy, boolean failing) {
    if (failing) {
      failingClosed.add(policy);
    } else {
      failingClosed.remove(policy);
    }
    metrics.policiesFailingClosed(failingClosed.size());
  }

  private static ObjectRef refOf(HasMetadata object) {
    return ObjectRef.of(object.getMetadata().getNamespace(), object.getMetadata().getName());
  }

  /** A change to apply to the graph once converted: runs on the sync thread. */
  private interface GraphChange {
    GraphDelta apply();
  }

  /** A converted event waiting to be taken into the graph. */
  private record ReceivedChange(Handler<?> handler, String key, String resourceVersion,
      boolean deletion, GraphChange change, long receivedAtNanos) {}

  /** The handler of one kind. */
  final class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
    private final String kind;
    private final Function<T, GraphChange> upsert;
    private final Function<T, GraphChange> delete;
    private final Map<String, String> takenIn = new ConcurrentHashMap<>();
    /** Objects the graph took in new, dropped or at another version (see takenIn). */
    private final AtomicLong versionChangesTakenIn = new AtomicLong();

    Handler(String kind, Function<T, GraphChange> upsert, Function<T, GraphChange> delete) {
      this.kind = kind;
      this.upsert = upsert;
      this.delete = delete;
    }

    String kind() {
      return kind;
    }

    /** Per cache key, the resource version the graph took in; deleted objects leave it. */
    Map<String, String> takenIn() {
      return takenIn;
    }

    /**
     * How many times the graph took in an object that was new, gone or at another version: one
     * per notification the informer's store made ({@link TrimmingItemStore#versionChanges}).
     */
    long versionChangesTakenIn() {
      return versionChangesTakenIn.get();
    }

    @Override
    public void onAdd(T object) {
      handle(object, upsert);
    }

    @Override
    public void onUpdate(T previous, T object) {
      handle(object, upsert);
    }

    @Override
    public void onDelete(T object, boolean finalStateUnknown) {
      handle(object, delete);
    }

    private void handle(T object, Function<T, GraphChange> change) {
      long receivedAt = ticker.read();
      String key = Cache.metaNamespaceKeyFunc(object);
      String version = object.getMetadata().getResourceVersion();
      GraphChange graphChange;
      try {
        graphChange = change.apply(object);
      } catch (InvalidInputException e) {
        metrics.invalidObject(kind);
        log.error("ignoring an unusable {}: {}", kind, e.getMessage());
        // The graph keeps what it had for the object, but has decided about this version; in
        // queue order, so that an earlier change of the same object cannot overwrite it.
        graphChange = () -> GraphDelta.EMPTY;
      }
      received.add(new ReceivedChange(this, key, version, change == delete, graphChange,
          receivedAt));
      // The tracker must see every event, even one that changes nothing, so that a client
      // waiting for its write's version is released by the next sync; hence always request.
      requestSync.run();
    }
  }
}
