package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableSortedMap;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The owners of the counter slots, kept across renderings: an owner keeps its slot while it
 * exists, a new owner takes the next free slot after the last one given (next fit, wrapping
 * round), so a slot freed now is given again only once every other free slot has been. An entry
 * of the old owner that the writer has not removed yet is then long gone, and the writer zeroes
 * the slot for its new owner anyway. Slot 0 is no one's ({@link #NONE}): with every slot taken,
 * a new owner gets none and its packets are not counted. Not thread-safe: the renderer owns it.
 */
final class CounterSlots {
  static final int NONE = 0;

  private final int capacity;
  private final Map<CounterOwner, Integer> slots = new HashMap<>();
  private final BitSet used = new BitSet();
  private int cursor = 1;

  /** @param capacity slots in the map, 0 included */
  CounterSlots(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Keeps the slots of {@code owners}, frees the others' and gives each new owner one, in this
   * order. Returns slot → owner.
   */
  ImmutableSortedMap<Integer, CounterOwner> assign(List<CounterOwner> owners) {
    return assign(owners, Map.of());
  }

  /**
   * As {@link #assign(List)}, a new owner taking its {@code preferred} slot when that is free
   * (what the maps of a previous agent gave it).
   */
  ImmutableSortedMap<Integer, CounterOwner> assign(List<CounterOwner> owners,
      Map<CounterOwner, Integer> preferred) {
    Set<CounterOwner> wanted = new HashSet<>(owners);
    slots.entrySet().removeIf(entry -> {
      if (wanted.contains(entry.getKey())) {
        return false;
      }
      used.clear(entry.getValue());
      return true;
    });
    // the preferred slots first, so that no new owner without one takes them
    for (CounterOwner owner : owners) {
      Integer wish = preferred.get(owner);
      if (!slots.containsKey(owner) && wish != null && wish > NONE && wish < capacity
          && !used.get(wish)) {
        slots.put(owner, wish);
        used.set(wish);
      }
    }
    for (CounterOwner owner : owners) {
      if (!slots.containsKey(owner)) {
        int slot = nextFree();
        if (slot != NONE) {
          slots.put(owner, slot);
          used.set(slot);
        }
      }
    }
    ImmutableSortedMap.Builder<Integer, CounterOwner> bySlot = ImmutableSortedMap.naturalOrder();
    slots.forEach((owner, slot) -> bySlot.put(slot, owner));
    return bySlot.build();
  }

  /** The owner's slot, or {@link #NONE}. */
  int slotOf(CounterOwner owner) {
    return slots.getOrDefault(owner, NONE);
  }

  private int nextFree() {
    int slot = used.nextClearBit(cursor);
    if (slot >= capacity) {
      slot = used.nextClearBit(1);
    }
    if (slot >= capacity) {
      return NONE;
    }
    cursor = slot + 1;
    return slot;
  }
}
