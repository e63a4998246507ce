package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.Cidr;
import java.util.Map;

/**
 * What the maps of one node should hold: the desired state the {@link MapWriter} converges to,
 * and what it reads back. Identity prefixes of both families share one map here; the writer
 * puts each into its family's trie. Counters are not contents: the program owns them.
 *
 * @param endpoints ifindex of a pod's host-side interface → the endpoint
 * @param identities prefix (normalized) → identity; 0 (world) only where a longer prefix
 *     takes an address out of the classes of a shorter one (an ipBlock's except)
 * @param verdicts allowing prefix → its counter slot (0 for none, else 4 up to 65535)
 */
public record MapContents(ImmutableSortedMap<Integer, EbpfEndpoint> endpoints,
    ImmutableSortedMap<Cidr, Integer> identities,
    ImmutableSortedMap<VerdictKey, Integer> verdicts) {

  public static final MapContents EMPTY = new MapContents(ImmutableSortedMap.of(),
      ImmutableSortedMap.of(), ImmutableSortedMap.of());

  public MapContents {
    identities.forEach((prefix, identity) -> {
      if (prefix.hasHostBits()) {
        throw new IllegalArgumentException("identity prefix " + prefix + " has host bits");
      }
    });
    verdicts.values().forEach(counter -> {
      if (counter != 0 && (counter < 4 || counter > 0xffff)) {
        throw new IllegalArgumentException("counter slot " + counter + " outside 4..65535");
      }
    });
  }

  public static MapContents of(Map<Integer, EbpfEndpoint> endpoints, Map<Cidr, Integer> identities,
      Map<VerdictKey, Integer> verdicts) {
    return new MapContents(ImmutableSortedMap.copyOf(endpoints),
        ImmutableSortedMap.copyOf(identities), ImmutableSortedMap.copyOf(verdicts));
  }

  /** Entries over all maps. */
  public int size() {
    return endpoints.size() + identities.size() + verdicts.size();
  }
}
