package dev.palisade.dataplane.ebpf;

import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A node plan as the eBPF backend writes it: the contents of its maps, with the endpoints still
 * keyed by pod (the interface of each pod, whose ifindex keys the {@code endpoints} map, is
 * known only on the node). {@link EbpfRenderer} makes it.
 *
 * @param endpoints each local pod's endpoint id, isolation, deny action and denied counter
 *     slots
 * @param identities the remote addresses' prefixes and identities, both families
 * @param verdicts the allowing entries of the {@code verdicts} map → their counter slot
 * @param counters counter slot → whose packets it counts ({@link EbpfCounters} reads them)
 */
public record EbpfPlan(ImmutableSortedMap<ObjectRef, EbpfEndpoint> endpoints,
    IdentityTable identities, ImmutableSortedMap<VerdictKey, Integer> verdicts,
    ImmutableSortedMap<Integer, CounterOwner> counters) {

  /**
   * The maps' contents on the node: each pod's endpoint under its interface's ifindex. A pod
   * whose interface is not known has no entry, so its packets are not judged yet.
   */
  public MapContents contents(Map<ObjectRef, Integer> ifindexes) {
    Map<Integer, EbpfEndpoint> byIfindex = new TreeMap<>();
    endpoints.forEach((pod, endpoint) -> {
      Integer ifindex = ifindexes.get(pod);
      if (ifindex != null) {
        byIfindex.put(ifindex, endpoint);
      }
    });
    return new MapContents(ImmutableSortedMap.copyOf(byIfindex), identities.prefixes(), verdicts,
        counters);
  }

  /**
   * The maps as readable text ({@code palisade render --backend ebpf}): endpoints by pod (with
   * the deny action: drop, or reject), identities with the classes their addresses belong to,
   * counter slots by owner, verdicts by pod and direction with their slots.
   */
  public String describe() {
    Map<Integer, ObjectRef> podById = new HashMap<>();
    endpoints.forEach((pod, endpoint) -> podById.put(endpoint.id(), pod));
    List<String> lines = new ArrayList<>();
    lines.add("# endpoints: pod -> id, isolation[, node traffic allowed][, denied <direction> -> "
        + "counter slot], deny action (map endpoints, keyed by the pod's host-side interface on "
        + "the node)");
    endpoints.forEach((pod, endpoint) -> lines.add(pod + " -> " + endpoint.id() + ", "
        + isolation(endpoint) + (endpoint.nodeTrafficAllowed() ? ", node traffic allowed" : "")
        + deniedSlots(endpoint) + ", " + (endpoint.reject() ? "reject" : "drop")));
    lines.add("# identities: prefix -> identity (maps identities_v4, identities_v6; the "
        + "longest prefix decides, no prefix: 0, the world)");
    identities.prefixes().forEach((prefix, identity) -> lines.add(prefix + " -> " + identity));
    lines.add("# classes of each identity");
    identities.classes().forEach((identity, classes) -> lines.add(identity + ": "
        + String.join("; ", classes)));
    lines.add("# counters: slot -> whose packets it counts (map counters; slot 0: not counted)");
    counters.forEach((slot, owner) -> lines.add(slot + " -> " + owner));
    lines.add("# verdicts: allowed (endpoint, identity, direction, traffic) -> counter slot "
        + "(map verdicts)");
    verdicts.forEach((key, slot) -> lines.add(podById.get(key.endpoint()) + " "
        + key.direction().name().toLowerCase(Locale.ROOT) + " identity "
        + key.identity() + " " + key.traffic() + " -> slot " + slot));
    return String.join("\n", lines) + "\n";
  }

  private static String isolation(EbpfEndpoint endpoint) {
    List<String> isolated = new ArrayList<>();
    if (endpoint.isolatedIngress()) {
      isolated.add("ingress");
    }
    if (endpoint.isolatedEgress()) {
      isolated.add("egress");
    }
    return isolated.isEmpty() ? "open" : "isolated " + String.join(" and ", isolated);
  }

  /**
   * The entry the program's verdict lookup finds for a packet at a pod's interface in one
   * direction (already judged as reply or not): the allowing entry, or empty when none allows.
   * The endpoint must be isolated in the direction; otherwise no lookup happens.
   */
  public Optional<VerdictKey> allowing(EbpfEndpoint endpoint, Direction direction,
      InetAddress remote, int protocol, int port) {
    int identity = identities.identityOf(remote);
    return verdicts.keySet().stream().filter(key -> key.endpoint() == endpoint.id()
        && key.identity() == identity && key.direction() == direction
        && key.traffic().covers(protocol, port)).findFirst();
  }

  private static String deniedSlots(EbpfEndpoint endpoint) {
    List<String> slots = new ArrayList<>();
    for (Direction direction : Direction.values()) {
      if (endpoint.deniedSlot(direction) != CounterSlots.NONE) {
        slots.add(", denied " + direction.name().toLowerCase(Locale.ROOT) + " -> slot "
            + endpoint.deniedSlot(direction));
      }
    }
    return String.join("", slots);
  }
}
