package dev.palisade.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * The event workloads of the scale benchmark, written to the API server one event at a time
 * against one running agent. After each write the benchmark waits until the agent's count of
 * enforced events has grown by one, so every event is its own sync (with the agent's
 * {@code --min-sync-interval} at 0) and the agent's delay histogram, scraped before and after a
 * phase, holds exactly that phase's events.
 *
 * <p>Threading: one thread, except the burst's writers.
 */
final class EventPhases {
  static final String ENFORCED = "palisade_enforcement_delay_seconds";
  static final String ENFORCED_COUNT = ENFORCED + "_count";
  static final String SYNC_COUNT = "palisade_sync_duration_seconds_count";
  private static final Duration EVENT_TIMEOUT = Duration.ofMinutes(1);
  /**
   * How long after an event's receipt the benchmark leaves the agent alone before it asks
   * whether the event is enforced: the pod events' target. The agent's own clock measures the
   * event, and an event enforced sooner is not measured longer for the wait; what the wait
   * keeps away is the benchmark's polls (about 14 % of the sync thread's CPU in the pod
   * phases, JFR), which otherwise start at the receipt, as the sync does, on the same two cores.
   * Production scrapes come every 15 s or more.
   */
  private static final Duration QUIET_AFTER_RECEIPT = Duration.ofMillis(10);
  /** For a batch of events written at once. */
  private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(5);
  private static final int BURST_WRITERS = 8;

  /**
   * One phase: the agent's delays (receipt → kernel written), how many syncs the agent ran for
   * it, and the watch's receipt delays.
   */
  record Phase(String name, Scrape.Histogram delays, long syncs, Percentiles receipts) {}

  /** A burst of policy updates: how fast it was written and when the agent had enforced it. */
  record Burst(int updates, long writtenInNanos, long convergedAfterLastNanos, long syncs) {}

  /** The policy phases (add, update, delete) and the burst between update and delete. */
  record PolicyResults(List<Phase> phases, Burst burst) {}

  private final KubernetesClient client;
  private final MeasuredAgent agent;
  private final ReceiptWatch receipts;
  private final EventPlan plan;
  private final int events;

  EventPhases(KubernetesClient client, MeasuredAgent agent, ReceiptWatch receipts, EventPlan plan,
      int events) {
    this.client = client;
    this.agent = agent;
    this.receipts = receipts;
    this.plan = plan;
    this.events = events;
  }

  /**
   * Pods get their IP, change labels, are deleted: three phases over the same event pods. Not
   * measured: the pods are first written without an address (a pod without an IP is in no set),
   * and before they are deleted their labels are restored, so that deleting them takes them out
   * of the sets they joined.
   */
  List<Phase> podPhases() {
    Pod[] pods = new Pod[events];
    settle(pods, i -> ApiObjects.pod(plan.pendingPod(i)),
        pod -> client.pods().resource(pod).create());
    List<Phase> phases = new ArrayList<>();
    phases.add(measure("pod gets its IP", pods, i -> new PodBuilder(pods[i])
        .withStatus(ApiObjects.pod(plan.runningPod(i)).getStatus()).build(),
        pod -> client.pods().resource(pod).updateStatus()));
    phases.add(measure("pod changes labels", pods, i -> relabelled(pods[i],
        EventPlan.RELABELLED), pod -> client.pods().resource(pod).update()));
    settle(pods, i -> relabelled(pods[i], plan.runningPod(i).labels()),
        pod -> client.pods().resource(pod).update());
    phases.add(measure("pod is deleted", pods, i -> pods[i],
        pod -> {
          client.pods().resource(pod).withGracePeriod(0).delete();
          return pod;
        }));
    return phases;
  }

  private static Pod relabelled(Pod pod, Map<String, String> labels) {
    return new PodBuilder(pod).editMetadata().withLabels(labels).endMetadata().build();
  }

  /**
   * Policies that select local pods are added, updated, updated again in a burst (written by
   * several writers as fast as the API server takes them), and deleted.
   */
  PolicyResults policyPhases() {
    NetworkPolicy[] policies = new NetworkPolicy[events];
    List<Phase> phases = new ArrayList<>();
    phases.add(measure("policy add", policies,
        i -> ApiObjects.networkPolicy(plan.policy(i)),
        policy -> client.network().v1().networkPolicies().resource(policy).create()));
    phases.add(measure("policy update", policies, i -> update(policies[i], i, 1),
        policy -> client.network().v1().networkPolicies().resource(policy).update()));
    Burst burst = burst(policies);
    phases.add(measure("policy delete", policies, i -> policies[i],
        policy -> {
          client.network().v1().networkPolicies().resource(policy).delete();
          return policy;
        }));
    return new PolicyResults(phases, burst);
  }

  private NetworkPolicy update(NetworkPolicy current, int i, int generation) {
    NetworkPolicy updated = ApiObjects.networkPolicy(plan.updated(i, generation));
    updated.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
    return updated;
  }

  private Burst burst(NetworkPolicy[] policies) {
    Scrape before = agent.scrape();
    ExecutorService writers = Executors.newFixedThreadPool(BURST_WRITERS);
    try {
      List<NetworkPolicy> updates = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        updates.add(update(policies[i], i, 2));
      }
      long start = System.nanoTime();
      List<Future<NetworkPolicy>> written = new ArrayList<>();
      for (NetworkPolicy update : updates) {
        written.add(writers.submit(() ->
            client.network().v1().networkPolicies().resource(update).update()));
      }
      for (int i = 0; i < events; i++) {
        policies[i] = written.get(i).get();
      }
      long lastWritten = System.nanoTime();
      agent.awaitMetric(ENFORCED_COUNT, before.value(ENFORCED_COUNT) + events, BATCH_TIMEOUT);
      long converged = System.nanoTime();
      return new Burst(events, lastWritten - start, converged - lastWritten,
          syncsBetween(before, agent.scrape()));
    } catch (ExecutionException e) {
      throw new IllegalStateException("a burst update failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the burst", e);
    } finally {
      writers.shutdownNow();
    }
  }

  /**
   * Writes {@code objects.length} events one at a time (event i: {@code next.apply(i)} written
   * by {@code write}, whose result replaces {@code objects[i]}), each awaited until the agent
   * enforced it.
   */
  private <T extends HasMetadata> Phase measure(String name, T[] objects,
      IntFunction<T> next, UnaryOperator<T> write) {
    Scrape before = agent.scrape();
    double enforced = before.value(ENFORCED_COUNT);
    long[] receiptDelays = new long[objects.length];
    for (int i = 0; i < objects.length; i++) {
      T object = next.apply(i);
      CompletableFuture<Long> receipt = receipts.expect(object.getMetadata().getNamespace(),
          object.getMetadata().getName());
      long start = System.nanoTime();
      objects[i] = write.apply(object);
      receiptDelays[i] = ReceiptWatch.delayAfter(start, receipt);
      enforced++;
      agent.awaitMetric(ENFORCED_COUNT, enforced, EVENT_TIMEOUT, QUIET_AFTER_RECEIPT);
    }
    Scrape after = agent.scrape();
    return new Phase(name, after.histogram(ENFORCED).minus(before.histogram(ENFORCED)),
        syncsBetween(before, after), Percentiles.of(receiptDelays));
  }

  private static long syncsBetween(Scrape before, Scrape after) {
    return Math.round(after.value(SYNC_COUNT) - before.value(SYNC_COUNT));
  }

  /** Writes events that are not measured, then waits until the agent enforced them all. */
  private <T extends HasMetadata> void settle(T[] objects, IntFunction<T> next,
      UnaryOperator<T> write) {
    double before = agent.scrape().value(ENFORCED_COUNT);
    for (int i = 0; i < objects.length; i++) {
      objects[i] = write.apply(next.apply(i));
    }
    agent.awaitMetric(ENFORCED_COUNT, before + objects.length, BATCH_TIMEOUT);
  }
}
