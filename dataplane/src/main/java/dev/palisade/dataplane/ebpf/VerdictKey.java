package dev.palisade.dataplane.ebpf;

import dev.palisade.model.Direction;
import java.util.Comparator;

/**
 * One allowing prefix of the {@code verdicts} map: the pod (endpoint id) may receive
 * ({@link Direction#INGRESS}) or send ({@link Direction#EGRESS}) this traffic from or to the
 * remote addresses of {@code identity}.
 */
public record VerdictKey(int endpoint, int identity, Direction direction, Traffic traffic)
    implements Comparable<VerdictKey> {
  private static final Comparator<VerdictKey> ORDER = Comparator
      .comparingInt(VerdictKey::endpoint)
      .thenComparing(VerdictKey::direction)
      .thenComparingInt(VerdictKey::identity)
      .thenComparing(VerdictKey::traffic);

  @Override
  public int compareTo(VerdictKey other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return "endpoint " + endpoint + " " + direction.name().toLowerCase() + " identity "
        + identity + " " + traffic;
  }
}
