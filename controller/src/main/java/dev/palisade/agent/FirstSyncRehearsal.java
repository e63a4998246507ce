package dev.palisade.agent;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.backend.Dataplane;
import dev.palisade.model.RuleGraph;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rehearses the first sync while the initial lists come in: compiles the graph as listed so far
 * and works out the writes ({@link Dataplane#rehearseFirstSync}), a few times and only on graphs
 * of at most so many pods, so that the JIT has compiled that path when the lists are complete.
 * The first sync compiles the whole node once; unrehearsed, it runs in the interpreter (at
 * 10,000 pods, about a second of the cold start's two). A rehearsal on a graph near the whole
 * cluster would cost as much as it saves, and could still be running when the lists are in.
 *
 * <p>Runs on the sync thread between its take-ins of the lists, which wait meanwhile in the
 * feed; not thread-safe.
 */
final class FirstSyncRehearsal {
  private static final Logger log = LoggerFactory.getLogger(FirstSyncRehearsal.class);

  private final Dataplane<?> dataplane;
  private final Ticker ticker;
  private final int maxPods;
  private int left;
  private int rehearsed;
  private long nanos;
  private boolean ended;

  /**
   * @param rehearsals how many to run at most
   * @param maxPods the most pods a graph may hold to be rehearsed on
   */
  FirstSyncRehearsal(Dataplane<?> dataplane, Ticker ticker, int rehearsals, int maxPods) {
    this.dataplane = dataplane;
    this.ticker = ticker;
    this.left = rehearsals;
    this.maxPods = maxPods;
  }

  /**
   * Runs one rehearsal on the graph as it is, if any is left and the graph holds at most {@code
   * maxPods} pods; the caller holds the graph's lock.
   */
  void runOne(RuleGraph graph) {
    if (ended || left == 0 || graph.podCount() > maxPods) {
      return;
    }
    long start = ticker.read();
    try {
      if (!dataplane.rehearseFirstSync(graph)) {
        return; // nothing to rehearse yet: no endpoint of the node listed so far
      }
    } catch (RuntimeException e) {
      // A warm-up is never worth a broken agent: the first sync does not depend on it.
      log.warn("rehearsal of the first sync failed; no more of them", e);
      left = 0;
      return;
    }
    nanos += ticker.read() - start;
    rehearsed++;
    left--;
  }

  /** Ends the rehearsals, for good: the first sync begins. Logs what ran, the first time. */
  void end() {
    if (!ended && rehearsed > 0) {
      log.info("{} rehearsal{} of the first sync (JIT warm-up) on the graph as listed so far in "
          + "{} ms", rehearsed, rehearsed == 1 ? "" : "s", TimeUnit.NANOSECONDS.toMillis(nanos));
    }
    ended = true;
  }
}
