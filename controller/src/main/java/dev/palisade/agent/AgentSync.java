package dev.palisade.agent;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.backend.Dataplane;
import dev.palisade.dataplane.backend.Outcome;
import dev.palisade.dataplane.kernel.Leftover;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.RuleGraph;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dataplane sync, as the runner calls it: take the received changes into the model, check
 * that it holds the cluster's complete view (else wait, writing nothing), observe (take a ticket
 * and compile what the changes touched), apply (the dataplane writes the difference: against
 * its record of its last write, or, every drift-check interval and after any failure, against
 * the kernel read back), report (metrics, enforced versions, and drift: writes needed although
 * the state to enforce did not change since the last success). Reads like the script it is.
 *
 * <p>A drift check is a sync of its own: when one is due while changes wait, the changes are
 * applied against the record and the check is asked for right after, so that no event waits for
 * a read-back of the whole kernel (hundreds of milliseconds at 10,000 pods). Under a stream of
 * events that never leaves a sync without changes, the check waits at most one more interval.
 */
final class AgentSync<S> implements Supplier<SyncOutcome> {
  private static final Duration WAIT_REPORT_INTERVAL = Duration.ofSeconds(30);
  /**
   * Rehearsals of the first sync while the initial lists come in ({@link FirstSyncRehearsal}):
   * at most this many, on graphs of at most so many pods. The first ones are those the JIT
   * needs; one on a graph near the whole cluster costs as much as it saves and may still run
   * when the lists are complete (at 10,000 pods, one held up the first sync by 830 ms), so the
   * rehearsals stop halfway through a 10,000-pod list (docs/performance.md, "The first sync
   * rehearsed").
   */
  static final int FIRST_SYNC_REHEARSALS = 5;
  static final int FIRST_SYNC_REHEARSAL_PODS = 5_000;
  private static final Logger log = LoggerFactory.getLogger(AgentSync.class);

  private final RuleGraph graph;
  private final ModelFeed feed;
  private final String nodeName;
  private final Dataplane<S> dataplane;
  private final long driftCheckNanos;
  private final EnforcementTracker tracker;
  private final AgentMetrics metrics;
  private final Ticker ticker;
  private final Optional<ConntrackPurger> purger;
  private final GraphCompleteness completeness;
  private final ApiErrors apiErrors;
  /** Told the leftovers whenever they change, after the log: the Node's Events. */
  private final Consumer<List<Leftover>> leftoversChanged;
  /**
   * The state the last successful sync enforced; null before it and after a failed sync (a failed
   * apply may have written part of its state, and the next apply completing it is no drift).
   */
  private S lastEnforced;
  /**
   * For /explain: the state the last successful sync enforced and the model versions it was
   * compiled from; stale after a failed sync. Written by the sync thread, read by others.
   */
  private volatile EnforcedExplainer.Enforced<S> enforced;
  /** A purge failed or did not run for a failed sync: the next successful apply purges. */
  private boolean purgeOwed;
  /** Whether a sync has succeeded since start (its log line says when, for cold-start figures). */
  private boolean firstSyncDone;
  /** When the current wait for a complete model began (ticker time), or -1 when not waiting. */
  private long waitingSince = -1;
  /** When the wait was last reported (ticker time). */
  private long waitReportedAt;
  private List<Leftover> lastLeftovers = List.of();
  /** What the take-ins since the last compilation touched, one delta per take-in. */
  private final List<GraphDelta> uncompiled = new ArrayList<>();
  /** When the kernel was last read back by a successful sync (ticker time). */
  private long lastKernelRead;
  /** Asks the runner for another sync: the drift check an event's sync put off. */
  private final Runnable syncAgain;
  /** How many rehearsals are left to run; 0 once done, or given up after a failure. */
  private int rehearsalsLeft;
  /** Rehearsals run so far, and the sync thread's time they took (ticker time). */
  private int rehearsed;
  private long rehearsalNanos;
  /** Rehearses the first sync while waiting for the initial lists; ended by the first sync. */
  private final FirstSyncRehearsal firstSyncRehearsal;

  /**
   * @param driftCheck how often a sync reads the kernel back instead of trusting the writer's
   *     record of its last write, to find and repair what others changed
   * @param rehearsals how many times to rehearse a local pod's change while idle
   */
  AgentSync(RuleGraph graph, ModelFeed feed, GraphCompleteness completeness, ApiErrors apiErrors,
      String nodeName, Dataplane<S> dataplane, Duration driftCheck, int rehearsals,
      EnforcementTracker tracker,
      AgentMetrics metrics, Ticker ticker, Optional<ConntrackPurger> purger,
      Consumer<List<Leftover>> leftoversChanged, Runnable syncAgain) {
    this.graph = graph;
    this.feed = feed;
    this.driftCheckNanos = driftCheck.toNanos();
    this.rehearsalsLeft = rehearsals;
    this.firstSyncRehearsal = new FirstSyncRehearsal(dataplane, ticker,
        FIRST_SYNC_REHEARSALS, FIRST_SYNC_REHEARSAL_PODS);
    this.completeness = completeness;
    this.apiErrors = apiErrors;
    this.nodeName = nodeName;
    this.dataplane = dataplane;
    this.tracker = tracker;
    this.metrics = metrics;
    this.ticker = ticker;
    this.purger = purger;
    this.leftoversChanged = leftoversChanged;
    this.syncAgain = syncAgain;
  }

  @Override
  public SyncOutcome get() {
    long start = ticker.read();
    takeInReceivedChanges();
    Optional<String> missing = completeness.missing();
    if (missing.isPresent() && feed.hasReceived()) {
      // Events that came in since the take-in above are the usual gap: no need to wait a poll.
      takeInReceivedChanges();
      missing = completeness.missing();
    }
    if (missing.isPresent()) {
      reportWait(start, missing.get());
      if (!completeness.initialListsReceived()) {
        // Once every list is in, the first sync is one take-in away: a rehearsal would delay it.
        synchronized (graph) {
          firstSyncRehearsal.runOne(graph);
        }
      }
      return SyncOutcome.WAITING;
    }
    apiErrors.watchesRunning();
    if (waitingSince >= 0) {
      log.info("the model holds the cluster's complete view ({}) after waiting {} ms",
          completeness.takenIn(), TimeUnit.NANOSECONDS.toMillis(start - waitingSince));
      waitingSince = -1;
    }
    firstSyncRehearsal.end();
    EnforcementTracker.Ticket ticket;
    S desired;
    GraphDelta changes;
    long compiled;
    int endpoints;
    int policies;
    synchronized (graph) {
      takeInReceivedChanges();
      ticket = tracker.startSync();
      changes = GraphDelta.union(uncompiled);
      desired = dataplane.compile(graph, changes);
      compiled = ticker.read();
      uncompiled.clear();
      endpoints = graph.endpointCountOnNode(nodeName);
      policies = graph.policyCount();
    }
    long sinceRead = start - lastKernelRead;
    boolean checkDue = sinceRead >= driftCheckNanos;
    boolean readKernel = lastEnforced == null
        || checkDue && (changes.isEmpty() || sinceRead >= 2 * driftCheckNanos);
    long[] inForceAt = {-1};
    Outcome result = dataplane.apply(desired,
        readKernel ? Dataplane.View.READ : Dataplane.View.REMEMBERED,
        () -> inForceAt[0] = ticker.read());
    Optional<String> failure = result.failure().isPresent() ? result.failure()
        : purgeConnections(result.wroteNothing());
    long duration = ticker.read() - start;
    // The events are enforced once the kernel holds their state, before the apply destroys what
    // nothing uses any more; with a purge, once the connections it cuts are cut.
    long enforcedAt = inForceAt[0] >= 0 && purger.isEmpty() ? inForceAt[0] : start + duration;
    // Their versions count as enforced only now, when nothing of the sync is left to do.
    long[] delays = tracker.finishSync(ticket, failure.isEmpty(), enforcedAt);
    if (failure.isPresent()) {
      lastEnforced = null;
      enforced = enforced == null ? null : enforced.stale();
      purgeOwed = true;
      metrics.syncFailed(duration);
      log.error("sync failed: {}", failure.get());
      return SyncOutcome.FAILED;
    }
    if (readKernel) {
      lastKernelRead = start;
    } else if (checkDue) {
      syncAgain.run();
    }
    metrics.syncSucceeded(duration, dataplane.footprint(desired), endpoints, policies,
        tracker.enforcedResourceVersion().orElse(-1), delays, result.leftovers().size());
    reportLeftovers(result.leftovers());
    if (!firstSyncDone) {
      firstSyncDone = true;
      log.info("first sync in {} ms, at {} ms of process uptime: {} local endpoints, {} "
          + "policies; wrote {}", TimeUnit.NANOSECONDS.toMillis(duration),
          ManagementFactory.getRuntimeMXBean().getUptime(), endpoints, policies,
          result.written());
    } else if (desired.equals(lastEnforced) && !result.wroteNothing()) {
      // Nothing this agent enforces changed since the last success, yet the kernel needed
      // writes: someone else (a person, a script, another tool) changed Palisade's rules or sets.
      metrics.driftRepaired();
      log.warn("drift: the kernel no longer held what this agent enforced; repaired: {}",
          result.written());
    } else if (lastEnforced == null || !result.wroteNothing()) {
      log.info("synced in {} ms (compile {} ms, kernel {} ms, enforced at {} ms{}): {} local "
          + "endpoints, {} policies; wrote {}", TimeUnit.NANOSECONDS.toMillis(duration),
          TimeUnit.NANOSECONDS.toMillis(compiled - start),
          TimeUnit.NANOSECONDS.toMillis(start + duration - compiled),
          TimeUnit.NANOSECONDS.toMillis(enforcedAt - start),
          readKernel ? ", read back" : "", endpoints, policies, result.written());
    }
    lastEnforced = desired;
    enforced = new EnforcedExplainer.Enforced<>(desired, ticket.versions(), true);
    return SyncOutcome.ENFORCED;
  }

  /**
   * Runs one rehearsal ({@link Dataplane#rehearse}) if any is left and the model holds what the
   * last sync enforced: after a successful sync, with no change received since. The runner calls
   * it while idle; an event that comes in meanwhile waits for the one rehearsal to end (a few
   * milliseconds once warm, tens in the first ones).
   *
   * @return whether it ran one
   */
  boolean rehearse() {
    if (rehearsalsLeft == 0 || lastEnforced == null || !uncompiled.isEmpty()
        || feed.hasReceived()) {
      return false;
    }
    long start = ticker.read();
    boolean ran;
    try {
      synchronized (graph) {
        ran = dataplane.rehearse(graph, rehearsed);
      }
    } catch (RuntimeException e) {
      // A warm-up is never worth a broken agent: the syncs do not depend on it.
      log.warn("rehearsal failed; no more rehearsals", e);
      rehearsalsLeft = 0;
      return false;
    }
    if (!ran) {
      // nothing to rehearse yet (no endpoint on the node): asked again after the next sync
      return false;
    }
    long took = ticker.read() - start;
    rehearsalNanos += took;
    rehearsed++;
    rehearsalsLeft--;
    if (rehearsed == 1 || rehearsalsLeft == 0) {
      log.info("{} rehearsal{} of a local pod's change (JIT warm-up) in {} ms; the last took "
          + "{} µs{}", rehearsed, rehearsed == 1 ? "" : "s",
          TimeUnit.NANOSECONDS.toMillis(rehearsalNanos), TimeUnit.NANOSECONDS.toMicros(took),
          rehearsalsLeft == 0 ? "; done" : "");
    }
    return true;
  }

  /** What the last successful sync enforced (stale after a failure), or null before one. */
  EnforcedExplainer.Enforced<S> enforced() {
    return enforced;
  }

  private void takeInReceivedChanges() {
    synchronized (graph) {
      // kept as a list and united once, at compilation: a union per take-in would copy the
      // growing whole at every 50 ms poll while an initial list of 50,000 pods comes in
      uncompiled.add(feed.takeIn());
    }
  }

  /** Logs the start of a wait, and every {@link #WAIT_REPORT_INTERVAL} while it lasts. */
  private void reportWait(long now, String missing) {
    String trouble = apiErrors.latest().map(errors -> "; API errors: " + errors).orElse("");
    if (waitingSince < 0) {
      waitingSince = now;
      waitReportedAt = now;
      log.info("not syncing until the model holds the cluster's complete view ({}{}); the "
          + "kernel keeps what it has", missing, trouble);
    } else if (now - waitReportedAt >= WAIT_REPORT_INTERVAL.toNanos()) {
      waitReportedAt = now;
      log.warn("still not syncing after {} s: {}{}", TimeUnit.NANOSECONDS.toSeconds(
          now - waitingSince), missing, trouble);
    }
  }

  /**
   * Cuts the connections the policies now deny, before the sync's versions count as enforced: a
   * tightened policy is enforced once those connections are cut too. Runs after a sync that
   * wrote, and after any failed sync or purge, whatever the next sync writes.
   */
  private Optional<String> purgeConnections(boolean wroteNothing) {
    if (purger.isEmpty() || (wroteNothing && !purgeOwed)) {
      return Optional.empty();
    }
    Optional<String> failure = purger.get().purge(graph, nodeName)
        .map(why -> "conntrack purge: " + why);
    purgeOwed = failure.isPresent();
    return failure;
  }

  /**
   * Names what foreign objects hold on to, in the log and to {@link #leftoversChanged}, whenever
   * that changes (not on every sync: the same leftover stays until an operator removes its
   * holder).
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
    leftoversChanged.accept(lastLeftovers);
  }
}
