package dev.palisade.logs;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.compile.DenyLogPrefix;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import java.net.InetAddress;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One line per denied packet, for people: when, from whom to whom (pods by namespace/name, with
 * their addresses), what traffic, in which direction it was denied and which policies isolate
 * the pod whose chain denied it, e.g.
 * <pre>
 * 2026-12-01T18:30:00.123Z x/c (10.244.1.12) -> x/b (10.244.2.11) TCP/80 ingress denied for x/b,
 *     isolated by x/allow-a-80, x/allow-all-81
 * </pre>
 * (one line). The cluster is asked when the packet is shown, so a pod or policy that changed
 * since is shown as it is now.
 */
final class DeniedPacketLine {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private DeniedPacketLine() {}

  /** The line, or empty when the packet was not logged by a Palisade deny rule. */
  static Optional<String> describe(NflogRecord record, ClusterDirectory cluster) {
    if (!DenyLogPrefix.isDeny(record.prefix())) {
      return Optional.empty();
    }
    Optional<PacketHeader> parsed = PacketHeader.parse(record.payload());
    if (parsed.isEmpty()) {
      return Optional.of(TIME.format(record.time()) + " (packet too short to read) "
          + record.prefix());
    }
    PacketHeader header = parsed.get();
    Optional<Pod> source = cluster.podAt(header.source());
    Optional<Pod> destination = cluster.podAt(header.destination());
    String traffic = TIME.format(record.time()) + " " + endpoint(header.source(), source)
        + " -> " + endpoint(header.destination(), destination) + " "
        + header.describeTraffic() + " ";
    Optional<Direction> direction = DenyLogPrefix.direction(record.prefix());
    if (direction.isEmpty()) {
      return Optional.of(traffic + "denied: an address of the node's pod CIDRs that no known "
          + "pod holds (fail-closed)");
    }
    Optional<Pod> denying = direction.get() == Direction.INGRESS ? destination : source;
    return Optional.of(traffic + direction.get().name().toLowerCase(Locale.ROOT) + " denied "
        + denying.map(pod -> "for " + pod.ref() + ", " + isolation(
            cluster.isolating(pod, direction.get())))
            .orElse("(" + record.prefix() + "; the pod is gone)"));
  }

  private static String isolation(List<ObjectRef> policies) {
    return policies.isEmpty() ? "which no policy isolates any more"
        : "isolated by " + policies.stream().map(ObjectRef::toString)
            .collect(Collectors.joining(", "));
  }

  private static String endpoint(InetAddress address, Optional<Pod> pod) {
    String text = InetAddresses.toAddrString(address);
    return pod.map(known -> known.ref() + " (" + text + ")").orElse(text);
  }
}
