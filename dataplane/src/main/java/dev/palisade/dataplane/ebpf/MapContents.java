package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.Cidr;
import java.util.Map;

/**
 * What the maps of one node should hold: the desired state the {@link MapWriter} converges to,
 * and what it reads back. Identity prefixes of both families share one map here; the writer
 * puts each into its family's trie. The counters' values are not contents (the program counts),
 * but who owns each slot is: the writer zeroes a slot that changes owner.
 *
 * @param endpoints ifindex of a pod's host-side interface → the endpoint
 * @param identities prefix (normalized) → identity; 0 (world) only where a longer prefix
 *     takes an address out of the classes of a shorter one (an ipBlock's except)
 * @param verdicts allowing prefix → its counter slot (0 for none)
 * @param counters counter slot → its owner (1 to 65535); read back empty, as the kernel keeps
 *     no owners
 */
public record MapContents(ImmutableSortedMap<Integer, EbpfEndpoint> endpoints,
    ImmutableSortedMap<Cidr, Integer> identities,
    ImmutableSortedMap<VerdictKey, Integer> verdicts,
    ImmutableSortedMap<Integer, CounterOwner> counters) {

  public static final MapContents EMPTY = new MapContents(ImmutableSortedMap.of(),
      ImmutableSortedMap.of(), ImmutableSortedMap.of(), ImmutableSortedMap.of());

  public MapContents {
    identities.forEach((prefix, identity) -> {
      if (prefix.hasHostBits()) {
        throw new IllegalArgumentException("identity prefix " + prefix + " has host bits");
      }
    });
    counters.keySet().forEach(slot -> requireSlot(slot, 1));
    verdicts.values().forEach(slot -> requireSlot(slot, 0));
    endpoints.values().forEach(endpoint -> {
      requireSlot(endpoint.deniedIngressSlot(), 0);
      requireSlot(endpoint.deniedEgressSlot(), 0);
    });
  }

  private static void requireSlot(int slot, int lowest) {
    if (slot < lowest || slot >= Layouts.COUNTER_SLOTS) {
      throw new IllegalArgumentException("counter slot " + slot + " outside " + lowest + ".."
          + (Layouts.COUNTER_SLOTS - 1));
    }
  }

  public static MapContents of(Map<Integer, EbpfEndpoint> endpoints, Map<Cidr, Integer> identities,
      Map<VerdictKey, Integer> verdicts, Map<Integer, CounterOwner> counters) {
    return new MapContents(ImmutableSortedMap.copyOf(endpoints),
        ImmutableSortedMap.copyOf(identities), ImmutableSortedMap.copyOf(verdicts),
        ImmutableSortedMap.copyOf(counters));
  }

  /** Entries over the maps the writer diffs (counter owners are not entries). */
  public int size() {
    return endpoints.size() + identities.size() + verdicts.size();
  }
}
