package dev.palisade.controller;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's standing in the leader election.
 *
 * <p>JOSDK's {@code exitOnStopLeading} (default true) calls {@code System.exit(1)} from the
 * elector's thread when the lease is lost; with it false, JOSDK only logs and keeps processing
 * events, so two replicas could publish at once. We set it false and act ourselves: from the
 * moment the lease is lost {@link #isLeading()} is false, so reconciliations write nothing, and
 * {@link #lost()} completes, on which {@link ControllerReplica} stops this operator and starts a
 * fresh one that rejoins the election as a standby (JOSDK's elector does not rejoin by itself).
 * The process keeps running: exiting, as it once did, put the pod into CrashLoopBackOff after
 * any API server outage longer than the renew deadline.
 */
final class Leadership {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  private final String identity;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final CompletableFuture<Void> lost = new CompletableFuture<>();

  Leadership(String identity) {
    this.identity = identity;
  }

  /** Callbacks for JOSDK; it calls them besides its own (which start event processing). */
  LeaderCallbacks callbacks() {
    return new LeaderCallbacks(this::started, this::stopped,
        leader -> log.info("leader of the Palisade controller: {}", leader));
  }

  boolean isLeading() {
    return leading.get();
  }

  /**
   * Completes once, when this replica has led and stops leading: the lease was lost, or the
   * operator was stopped (JOSDK cancels the election, and the elector reports that too).
   */
  CompletableFuture<Void> lost() {
    return lost;
  }

  String identity() {
    return identity;
  }

  private void started() {
    log.info("{} leads: publishing lint findings", identity);
    leading.set(true);
  }

  private void stopped() {
    leading.set(false);
    log.warn("{} lost the leader lease: no more writes from it", identity);
    lost.complete(null);
  }
}
