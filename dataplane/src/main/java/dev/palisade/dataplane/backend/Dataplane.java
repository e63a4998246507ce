package dev.palisade.dataplane.backend;

import dev.palisade.dataplane.kernel.PacketCounts;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.RuleGraph;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One node's enforcement, whichever kernel mechanism carries it: all the agent knows of a
 * backend. {@code S} is the backend's compiled form of the node plan (iptables chains and ipsets,
 * or eBPF map contents), a value: two compilations of the same graph are equal.
 *
 * <p>{@link #compile} runs under the graph's lock and touches no kernel; the rest runs on the
 * sync thread (apply, cleanup) or a scrape or query thread (counts, explain), outside it.
 */
public interface Dataplane<S> extends AutoCloseable {
  /** The backend's name as {@code --backend} spells it. */
  String name();

  /**
   * The state the node should hold for the graph as it is now.
   *
   * @param changes everything the graph changed since the previous call (ignored on the first)
   */
  S compile(RuleGraph graph, GraphDelta changes);

  /**
   * Brings the kernel to {@code desired}, writing only the difference to what it holds: to what
   * the last successful apply wrote ({@link View#REMEMBERED}), or to the kernel read back ({@link
   * View#READ}, which finds what others changed).
   */
  default Outcome apply(S desired, View view) {
    return apply(desired, view, () -> {});
  }

  /**
   * {@link #apply(Object, View)}, telling {@code inForce} when the kernel enforces {@code
   * desired}: every rule, set and map entry it needs is in force, and what remains of the apply
   * changes no verdict (destroying what nothing uses any more, which may wait for the kernel to
   * release it). Runs at most once, on the calling thread; not when the apply fails before.
   */
  Outcome apply(S desired, View view, Runnable inForce);

  /**
   * Compiles a change to one of the node's endpoints and works out its writes as a sync would,
   * and keeps and writes nothing: a warm-up for the path of a local pod's event, which runs too
   * rarely in a large cluster for the JIT to compile it in time. Runs on the sync thread, under
   * the graph's lock, with no change taken in since the last sync.
   *
   * @param turn which endpoint (the node's {@code turn}-th), so that rehearsals vary
   * @return false when there was nothing to rehearse: before the first sync, on a node without
   *     endpoints, and with a backend whose local path needs no warm-up
   */
  default boolean rehearse(RuleGraph graph, int turn) {
    return false;
  }

  /**
   * Compiles the graph as the first sync would and works out what that sync would write to a
   * node that holds nothing, and keeps and writes nothing: a warm-up for the first sync, which
   * runs its compilation and diff of the whole node once per process, in the interpreter unless
   * rehearsed. Runs on the sync thread, under the graph's lock, before the first sync: while
   * the initial lists come in, on the graph as listed so far.
   *
   * @return false when there was nothing to rehearse: no endpoint of the node in the graph yet,
   *     or a backend whose first sync needs no warm-up
   */
  default boolean rehearseFirstSync(RuleGraph graph) {
    return false;
  }

  /** Removes everything of this installation from the kernel, and nothing else. */
  Outcome cleanup();

  /**
   * Packets denied per local pod and direction, and allowed per policy, as of now.
   *
   * @throws IOException when the kernel's counters cannot be read
   */
  PacketCounts counts(S enforced) throws IOException;

  /** What the state holds in the kernel, as gauges (rules and sets; map entries). */
  List<Footprint> footprint(S state);

  /**
   * How the kernel decides one connection in one direction of a local pod, under {@code
   * enforced}: the mechanism's own words (chain, rule and sets; map entries), as JSON fields.
   */
  Map<String, Object> explain(S enforced, Lookup lookup);

  /**
   * Releases what the backend holds open for the agent's lifetime (processes, file descriptors);
   * the kernel keeps what was applied.
   */
  @Override
  default void close() {}

  /** Where the "before" of an apply's diff comes from. */
  enum View {
    /** Read the kernel back. */
    READ,
    /** What the last successful apply wrote; reads when there is none. */
    REMEMBERED
  }
}
