package dev.palisade.dataplane.compile;

import dev.palisade.dataplane.rules.Action;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import java.util.Locale;
import java.util.Optional;

/**
 * The NFLOG prefix of a deny rule, written by the compiler and read back by {@code palisade
 * logs}: {@code palisade deny ingress x/a} for a pod chain (the pod that dropped the packet, cut
 * to what NFLOG keeps), {@code palisade deny unknown pod} for fail-closed traffic.
 */
public final class DenyLogPrefix {
  static final String UNKNOWN_POD = "palisade deny unknown pod";
  private static final String POD_PREFIX = "palisade deny ";

  private DenyLogPrefix() {}

  static String of(Direction direction, ObjectRef pod) {
    String prefix = POD_PREFIX + direction.name().toLowerCase(Locale.ROOT) + " " + pod;
    return prefix.length() <= Action.Nflog.MAX_PREFIX_LENGTH ? prefix
        : prefix.substring(0, Action.Nflog.MAX_PREFIX_LENGTH);
  }

  /** Whether a Palisade deny rule logged the packet (of a pod chain or fail-closed). */
  public static boolean isDeny(String prefix) {
    return prefix.startsWith(POD_PREFIX);
  }

  /** The direction whose pod chain denied the packet; empty for fail-closed and foreign logs. */
  public static Optional<Direction> direction(String prefix) {
    for (Direction direction : Direction.values()) {
      if (prefix.startsWith(POD_PREFIX + direction.name().toLowerCase(Locale.ROOT) + " ")) {
        return Optional.of(direction);
      }
    }
    return Optional.empty();
  }
}
