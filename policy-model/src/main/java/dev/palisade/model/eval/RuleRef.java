package dev.palisade.model.eval;

import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;

/** A rule of a policy: its direction and its index in that direction's list (from 0). */
public record RuleRef(ObjectRef policy, Direction direction, int index) {
  @Override
  public String toString() {
    return policy + " " + direction.title().toLowerCase(java.util.Locale.ROOT) + "[" + index + "]";
  }
}
