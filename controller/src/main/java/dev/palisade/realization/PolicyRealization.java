package dev.palisade.realization;

import java.util.OptionalInt;

/**
 * "Enforced on N of M nodes" for one policy version.
 *
 * @param enforcedNodes N: the nodes whose current report enforces this version or a later one;
 *     empty when the policy's resourceVersion is no integer and so cannot be compared
 * @param nodes M: every node with an agent report, current or not
 */
public record PolicyRealization(PolicyVersion policy, OptionalInt enforcedNodes, int nodes) {

  /** Enforced on every node, and there is at least one. */
  public boolean enforcedEverywhere() {
    return nodes > 0 && enforcedNodes.orElse(-1) == nodes;
  }

  /** "3/3", or "?/3" when the version cannot be compared. */
  public String fraction() {
    return (enforcedNodes.isPresent() ? String.valueOf(enforcedNodes.getAsInt()) : "?") + "/"
        + nodes;
  }
}
