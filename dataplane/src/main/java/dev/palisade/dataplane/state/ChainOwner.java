package dev.palisade.dataplane.state;

import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;

/**
 * What a generated chain stands for: one local pod's verdict in one direction, or one policy's
 * rules in one direction. Chain names carry a hash and a cut fragment of this identity and, after
 * a collision, another candidate's hash: reading them back is only possible through the
 * compiler's own record of which name it gave to whom, which this is.
 */
public record ChainOwner(Kind kind, ObjectRef ref, Direction direction) {
  /** Whose chain it is. */
  public enum Kind {
    /** A pod chain: tries each selecting policy, then denies. */
    POD,
    /** A policy chain: marks what the policy allows. */
    POLICY
  }

  public static ChainOwner pod(ObjectRef pod, Direction direction) {
    return new ChainOwner(Kind.POD, pod, direction);
  }

  public static ChainOwner policy(ObjectRef policy, Direction direction) {
    return new ChainOwner(Kind.POLICY, policy, direction);
  }
}
