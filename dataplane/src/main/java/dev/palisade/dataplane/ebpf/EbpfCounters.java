package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.kernel.PacketCounts;
import dev.palisade.dataplane.kernel.PacketCounts.PodDirection;
import dev.palisade.model.ObjectRef;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code counters} map read as the iptables backend reports its rule counters: per local
 * pod and direction the packets the program dropped, per policy the packets it allowed (a
 * packet several policies allow counted for the first by name). The plan says whose each slot
 * is, and only its slots are read: every owner is reported, zero counts included. Reading
 * resets nothing. One lookup per slot, summed over the CPUs.
 *
 * <p>What a count means differs from the iptables backend in one way: the program judges every
 * packet, replies included, where iptables counts only what reaches its pod chains (a
 * connection's first packets), so an allowed connection counts all its packets here.
 */
public final class EbpfCounters {
  private EbpfCounters() {}

  public static PacketCounts read(EbpfMaps maps, EbpfPlan plan) {
    Map<PodDirection, Long> denied = new TreeMap<>();
    Map<ObjectRef, Long> allowed = new TreeMap<>();
    plan.counters().forEach((slot, owner) -> {
      long packets = maps.counter(slot);
      if (owner instanceof CounterOwner.Denied pod) {
        denied.put(new PodDirection(pod.pod(), pod.direction()), packets);
      } else if (owner instanceof CounterOwner.Allowed policy) {
        allowed.put(policy.policy(), packets);
      }
    });
    return new PacketCounts(ImmutableSortedMap.copyOf(denied), ImmutableSortedMap.copyOf(allowed));
  }
}
