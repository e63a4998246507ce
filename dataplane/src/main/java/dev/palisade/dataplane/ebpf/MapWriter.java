package dev.palisade.dataplane.ebpf;

import com.google.common.collect.Maps;
import com.google.common.collect.Sets;
import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Converges the maps to a {@link MapContents} by diff: what is equal is not written.
 *
 * <p>The first apply (and any with {@link View#READ}) reads the maps back; afterwards the writer
 * diffs against what its last successful apply left ({@link View#REMEMBERED}), the pattern of the
 * iptables writer. A failed apply forgets, so the next one reads again.
 *
 * <p>Order, so that no packet meets a half-written policy that allows more than either the old
 * or the new one would: new and changed verdicts, then identities, then endpoints (an endpoint
 * turns isolated only once its verdicts are in); then removed endpoints, identities and, last,
 * verdicts. Before all of them, every counter slot whose owner is not the one this writer last
 * zeroed it for (given to someone else, or unknown to a new writer: a restarted agent's counts
 * start from zero) is set to zero, so the new owner's count starts there. Not thread-safe: one
 * sync thread owns it.
 */
public final class MapWriter {
  /** Where the "before" of the diff comes from. */
  public enum View {
    /** Read every map back. */
    READ,
    /** What the last successful apply left; reads when there is none. */
    REMEMBERED
  }

  /** What one apply changed, per map, and the system calls it took. */
  public record Report(int counterResets, int endpointWrites, int endpointDeletes,
      int identityWrites, int identityDeletes, int verdictWrites, int verdictDeletes,
      long syscalls, long nanos) {
    public int changes() {
      return counterResets + endpointWrites + endpointDeletes + identityWrites + identityDeletes
          + verdictWrites + verdictDeletes;
    }
  }

  private final EbpfMaps maps;
  private MapContents remembered;
  /** Slot → the owner it was last zeroed for; kept when an apply fails after the zeroing. */
  private Map<Integer, CounterOwner> zeroedFor = Map.of();

  public MapWriter(EbpfMaps maps) {
    this.maps = maps;
  }

  /** Reads what the maps hold now; no counter owners (the kernel keeps none). */
  public MapContents read() {
    TreeMap<Integer, EbpfEndpoint> endpoints = new TreeMap<>();
    maps.endpoints().readAll().forEach(entry -> endpoints.put(
        Layouts.endpointKeyOf(entry.key()), Layouts.endpointOf(entry.value())));
    TreeMap<Cidr, Integer> identities = new TreeMap<>();
    for (IpFamily family : IpFamily.values()) {
      maps.identities(family).readAll().forEach(entry -> identities.put(
          Layouts.identityKeyOf(entry.key()), Layouts.u32Of(entry.value())));
    }
    TreeMap<VerdictKey, Integer> verdicts = new TreeMap<>();
    maps.verdicts().readAll().forEach(entry -> verdicts.put(
        Layouts.verdictKeyOf(entry.key()), Layouts.u32Of(entry.value())));
    return MapContents.of(endpoints, identities, verdicts, Map.of());
  }

  /** Drops the memory of the last apply: the next apply reads the maps. */
  public void forget() {
    remembered = null;
  }

  public Report apply(MapContents desired, View view) {
    long start = System.nanoTime();
    long syscallsBefore = maps.syscalls();
    MapContents before = view == View.REMEMBERED && remembered != null ? remembered : read();
    remembered = null;
    Map<Integer, CounterOwner> known = zeroedFor.isEmpty() ? adopted(before, desired)
        : zeroedFor;
    List<Integer> reassigned = desired.counters().entrySet().stream()
        .filter(slot -> !slot.getValue().equals(known.get(slot.getKey())))
        .map(Map.Entry::getKey).toList();
    maps.zeroCounters(reassigned);
    zeroedFor = desired.counters();
    Change<Integer, EbpfEndpoint> endpoints = change(before.endpoints(), desired.endpoints());
    Change<Cidr, Integer> identities = change(before.identities(), desired.identities());
    Change<VerdictKey, Integer> verdicts = change(before.verdicts(), desired.verdicts());

    int verdictWrites = write(maps.verdicts(), verdicts, Layouts::verdictKey,
        Layouts::verdictValue);
    int identityWrites = 0;
    for (IpFamily family : IpFamily.values()) {
      identityWrites += write(maps.identities(family), identities.of(family),
          Layouts::identityKey, Layouts::u32);
    }
    int endpointWrites = write(maps.endpoints(), endpoints, Layouts::endpointKey,
        Layouts::endpointValue);
    int endpointDeletes = delete(maps.endpoints(), endpoints, Layouts::endpointKey);
    int identityDeletes = 0;
    for (IpFamily family : IpFamily.values()) {
      identityDeletes += delete(maps.identities(family), identities.of(family),
          Layouts::identityKey);
    }
    int verdictDeletes = delete(maps.verdicts(), verdicts, Layouts::verdictKey);
    remembered = desired;
    return new Report(reassigned.size(), endpointWrites, endpointDeletes, identityWrites,
        identityDeletes, verdictWrites, verdictDeletes, maps.syscalls() - syscallsBefore,
        System.nanoTime() - start);
  }

  /**
   * A new writer (an agent that just started) knows no slot's owner; the slots that the maps it
   * found use exactly as {@code desired} does (a verdict with the same slot, an endpoint with the
   * same denied slot, under the same key) keep their owner and their count: the renderer gave
   * the adopted maps' owners their old slots back. Any other slot is zeroed for its new owner.
   */
  private static Map<Integer, CounterOwner> adopted(MapContents found, MapContents desired) {
    Set<Integer> kept = new HashSet<>();
    desired.verdicts().forEach((key, slot) -> {
      if (slot.equals(found.verdicts().get(key))) {
        kept.add(slot);
      }
    });
    desired.endpoints().forEach((ifindex, endpoint) -> {
      EbpfEndpoint old = found.endpoints().get(ifindex);
      for (Direction direction : Direction.values()) {
        if (old != null && old.deniedSlot(direction) == endpoint.deniedSlot(direction)) {
          kept.add(endpoint.deniedSlot(direction));
        }
      }
    });
    return Maps.filterKeys(desired.counters(), kept::contains);
  }

  /** What to write (new and changed entries) and what to delete, to go from one map to another. */
  private record Change<K, V>(Map<K, V> upserts, Set<K> deletes) {
    /** Of identity prefixes: those of one family (one trie per family). */
    @SuppressWarnings("unchecked")
    Change<K, V> of(IpFamily family) {
      return new Change<>(Maps.filterKeys(upserts, cidr -> ((Cidr) cidr).family() == family),
          Sets.filter(deletes, cidr -> ((Cidr) cidr).family() == family));
    }
  }

  /**
   * The change by hashing: the maps are sorted ones, whose lookups compare keys through their
   * comparators, and at 100,000 verdicts that costs seconds per apply where a hash lookup costs
   * milliseconds ({@code Maps.difference} takes the sorted path for sorted maps too). The same
   * map object on both sides (an unchanged plan) is no change at all.
   */
  private static <K, V> Change<K, V> change(Map<K, V> before, Map<K, V> after) {
    if (before == after) {
      return new Change<>(Map.of(), Set.of());
    }
    Map<K, V> gone = new HashMap<>(before);
    Map<K, V> upserts = new HashMap<>();
    after.forEach((key, value) -> {
      if (!value.equals(gone.remove(key))) {
        upserts.put(key, value);
      }
    });
    return new Change<>(upserts, gone.keySet());
  }

  private static <K, V> int write(BpfMap map, Change<K, V> change, Function<K, byte[]> key,
      Function<V, byte[]> value) {
    List<BpfMap.Entry> entries = new ArrayList<>();
    change.upserts().forEach((k, v) ->
        entries.add(new BpfMap.Entry(key.apply(k), value.apply(v))));
    map.upsert(entries);
    return entries.size();
  }

  private static <K, V> int delete(BpfMap map, Change<K, V> change, Function<K, byte[]> key) {
    List<byte[]> keys = change.deletes().stream().map(key).toList();
    map.delete(keys);
    return keys.size();
  }
}
