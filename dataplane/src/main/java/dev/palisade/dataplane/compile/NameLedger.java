package dev.palisade.dataplane.compile;

import java.util.HashMap;
import java.util.Map;

/**
 * Remembers which identity each generated name stands for within one compilation, so that two
 * different objects whose names collide (a truncated fragment plus a 32-bit hash) fail loudly
 * instead of silently sharing a chain or set.
 */
final class NameLedger {
  private final Map<String, Object> identityByName = new HashMap<>();

  /**
   * Records that {@code name} stands for {@code identity} (a value object: equal identities
   * may claim a name twice).
   *
   * @return true the first time the name is claimed, false when it was claimed for the same
   *     identity before
   * @throws IllegalStateException when the name already stands for another identity
   */
  boolean claim(String name, Object identity) {
    Object previous = identityByName.putIfAbsent(name, identity);
    if (previous != null && !previous.equals(identity)) {
      throw new IllegalStateException("name " + name + " is generated for both '" + previous
          + "' and '" + identity + "'");
    }
    return previous == null;
  }
}
