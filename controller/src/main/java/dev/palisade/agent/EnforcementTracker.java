package dev.palisade.agent;

import com.google.common.collect.ImmutableSortedMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Follows API events from receipt to enforcement: per kind, the highest resource version the
 * model has taken in and the highest one the kernel enforces, so that tests and tools can wait
 * for a change to be enforced instead of sleeping; and, per event, the delay from receipt to the
 * kernel update that covered it.
 *
 * <p>Versions are tracked per kind because the three watches deliver independently: a policy
 * event may arrive before a pod event with a lower version. A client that wrote a pod at
 * version R waits until the pods' enforced version reaches R.
 *
 * <p>Receipts wait for the sync that enforces them. While syncs fail or wait for a complete
 * model, at most {@link #MAX_PENDING_RECEIPTS} wait: the oldest are kept, because they carry the
 * longest delays, which the delay histogram must not lose; later ones are dropped and counted
 * ({@link #droppedReceipts()}), so a node that cannot enforce for hours does not fill its heap.
 *
 * <p>Thread-safe: informer threads call {@link #received}, the sync thread the rest.
 */
final class EnforcementTracker {
  /** About 1 MB of boxed longs: a busy cluster's events over minutes, not hours. */
  static final int MAX_PENDING_RECEIPTS = 20_000;

  /** What a sync covers: the model as of these versions and the events received before it. */
  record Ticket(ImmutableSortedMap<String, Long> versions, long[] receivedAtNanos) {}

  private final Map<String, Long> received = new TreeMap<>();
  private final Map<String, Long> enforced = new TreeMap<>();
  private final List<Long> pendingReceipts = new ArrayList<>();
  private long droppedReceipts;

  /**
   * An event of this kind with this resource version, received at {@code receivedAtNanos}
   * (ticker time), has been applied to the model.
   */
  synchronized void received(String kind, String resourceVersion, long receivedAtNanos) {
    long version = parse(resourceVersion);
    if (version >= 0) {
      received.merge(kind, version, Math::max);
    }
    keepPending(receivedAtNanos);
  }

  private void keepPending(long receipt) {
    if (pendingReceipts.size() < MAX_PENDING_RECEIPTS) {
      pendingReceipts.add(receipt);
    } else {
      droppedReceipts++;
    }
  }

  /**
   * A sync is about to compile the model: everything received so far is what it will enforce.
   * Called while the model is locked, so no event slips between the model and the ticket.
   */
  synchronized Ticket startSync() {
    long[] receipts = pendingReceipts.stream().mapToLong(Long::longValue).toArray();
    pendingReceipts.clear();
    return new Ticket(ImmutableSortedMap.copyOf(received), receipts);
  }

  /**
   * The sync that took this ticket has finished: its versions count as enforced from now. On
   * success returns the delays (nanoseconds) from receipt to enforcement (at {@code
   * enforcedAtNanos}, ticker time) of every event it covered; on failure those events wait for
   * the next sync.
   */
  synchronized long[] finishSync(Ticket ticket, boolean success, long enforcedAtNanos) {
    if (!success) {
      // the ticket's receipts are older than those that came in during the sync: they go first
      List<Long> newer = List.copyOf(pendingReceipts);
      pendingReceipts.clear();
      for (long receipt : ticket.receivedAtNanos()) {
        keepPending(receipt);
      }
      newer.forEach(this::keepPending);
      return new long[0];
    }
    ticket.versions().forEach((kind, version) -> enforced.merge(kind, version, Math::max));
    long[] delays = new long[ticket.receivedAtNanos().length];
    for (int i = 0; i < delays.length; i++) {
      delays[i] = enforcedAtNanos - ticket.receivedAtNanos()[i];
    }
    return delays;
  }

  /** Receipts dropped because too many waited for enforcement (their delays are not recorded). */
  synchronized long droppedReceipts() {
    return droppedReceipts;
  }

  /** Per kind, the highest resource version the model has taken in. */
  synchronized ImmutableSortedMap<String, Long> modelVersions() {
    return ImmutableSortedMap.copyOf(received);
  }

  /** Per kind, the highest resource version the kernel enforces. */
  synchronized ImmutableSortedMap<String, Long> enforcedVersions() {
    return ImmutableSortedMap.copyOf(enforced);
  }

  /** The highest enforced resource version of any kind, empty before the first sync. */
  synchronized OptionalLong enforcedResourceVersion() {
    return enforced.values().stream().mapToLong(Long::longValue).max();
  }

  /**
   * Resource versions are opaque strings to clients, but the API server (etcd revisions) and
   * the fabric8 mock server issue increasing integers; anything else cannot be compared and
   * is not tracked.
   */
  private static long parse(String resourceVersion) {
    if (resourceVersion == null) {
      return -1;
    }
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
