package dev.palisade.agent;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.kernel.ApplyResult;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.kernel.Leftover;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.RuleGraph;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dataplane sync, as the runner calls it: check that the model holds the cluster's complete
 * view (else wait, writing nothing), observe (take a ticket and compile the model under its
 * lock), apply (the kernel writer diffs and writes outside the lock), report (metrics,
 * readiness, enforced versions). Reads like the script it is.
 */
final class AgentSync implements Supplier<SyncOutcome> {
  private static final Logger log = LoggerFactory.getLogger(AgentSync.class);

  private final RuleGraph graph;
  private final String nodeName;
  private final Function<RuleGraph, DesiredState> compiler;
  private final KernelWriter kernel;
  private final EnforcementTracker tracker;
  private final AgentMetrics metrics;
  private final Ticker ticker;
  private final Optional<ConntrackPurger> purger;
  private final GraphCompleteness completeness;
  private volatile boolean synced;
  /** When the current wait for a complete model began (ticker time), or -1 when not waiting. */
  private long waitingSince = -1;
  private List<Leftover> lastLeftovers = List.of();

  AgentSync(RuleGraph graph, GraphCompleteness completeness, String nodeName,
      Function<RuleGraph, DesiredState> compiler, KernelWriter kernel, EnforcementTracker tracker,
      AgentMetrics metrics, Ticker ticker, Optional<ConntrackPurger> purger) {
    this.graph = graph;
    this.completeness = completeness;
    this.nodeName = nodeName;
    this.compiler = compiler;
    this.kernel = kernel;
    this.tracker = tracker;
    this.metrics = metrics;
    this.ticker = ticker;
    this.purger = purger;
  }

  @Override
  public SyncOutcome get() {
    long start = ticker.read();
    Optional<String> missing = completeness.missing();
    if (missing.isPresent()) {
      if (waitingSince < 0) {
        waitingSince = start;
        log.info("not syncing until the model holds the cluster's complete view ({}); the "
            + "kernel keeps what it has", missing.get());
      }
      return SyncOutcome.WAITING;
    }
    if (waitingSince >= 0) {
      log.info("the model holds the cluster's complete view after waiting {} ms",
          TimeUnit.NANOSECONDS.toMillis(start - waitingSince));
      waitingSince = -1;
    }
    EnforcementTracker.Ticket ticket;
    DesiredState desired;
    int endpoints;
    int policies;
    synchronized (graph) {
      ticket = tracker.startSync();
      desired = compiler.apply(graph);
      endpoints = graph.endpointsOnNode(nodeName).size();
      policies = graph.policies().size();
    }
    ApplyResult result = kernel.apply(desired);
    if (result.succeeded() && !result.written().wroteNothing()) {
      // before the versions count as enforced: a tightened policy is enforced once the
      // connections it denies are cut too
      purger.ifPresent(conntrack -> conntrack.purge(graph, nodeName));
    }
    long duration = ticker.read() - start;
    long[] delays = tracker.finishSync(ticket, result.succeeded());
    if (!result.succeeded()) {
      metrics.syncFailed(duration);
      log.error("sync failed: {}", ((ApplyResult.Failed) result).describe());
      return SyncOutcome.FAILED;
    }
    metrics.syncSucceeded(duration, desired, endpoints, policies,
        tracker.enforcedResourceVersion().orElse(-1), delays, result.leftovers().size());
    reportLeftovers(result.leftovers());
    if (!synced || !result.written().wroteNothing()) {
      log.info("synced in {} ms: {} local endpoints, {} policies; wrote {}",
          TimeUnit.NANOSECONDS.toMillis(duration), endpoints, policies,
          result.written().describe());
    }
    synced = true;
    return SyncOutcome.ENFORCED;
  }

  /**
   * Names what foreign objects hold on to, whenever that changes (not on every sync: the same
   * leftover stays until an operator removes its holder).
   */
  private void reportLeftovers(List<Leftover> leftovers) {
    if (leftovers.equals(lastLeftovers)) {
      return;
    }
    leftovers.forEach(left -> log.warn("left in the kernel because a foreign object holds it: "
        + "{}", left.describe()));
    if (leftovers.isEmpty()) {
      log.info("nothing is left in the kernel any more: every held Palisade object was removed");
    }
    lastLeftovers = List.copyOf(leftovers);
  }

  /** Whether a sync has succeeded since start: the agent's readiness. */
  boolean hasSynced() {
    return synced;
  }
}
