package dev.palisade.model.eval;

import com.google.common.collect.ImmutableList;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import java.util.stream.Collectors;

/**
 * The outcome of one direction of a connection: the source's egress or the destination's
 * ingress, with the policies and rules that decided it.
 */
public record DirectionVerdict(
    Direction direction,
    Outcome outcome,
    ObjectRef pod,
    ImmutableList<ObjectRef> isolatedBy,
    ImmutableList<RuleRef> allowedBy) {

  public enum Outcome {
    /** The end is not a pod of the cluster, so no policy of this direction applies. */
    NOT_A_POD,
    /** No policy isolates the pod in this direction: everything is allowed. */
    NOT_ISOLATED,
    /** The pod is isolated and at least one rule allows the connection. */
    ALLOWED,
    /** The pod is isolated and no rule allows the connection. */
    DENIED
  }

  public boolean allows() {
    return outcome != Outcome.DENIED;
  }

  /** One line, e.g. "ingress of x/a: allowed by x/allow-web ingress[0]". */
  public String explain() {
    String side = direction.title().toLowerCase(java.util.Locale.ROOT);
    return switch (outcome) {
      case NOT_A_POD -> side + ": not a pod, no policy applies";
      case NOT_ISOLATED -> side + " of " + pod + ": not isolated (no policy with "
          + direction.title() + " selects it)";
      case ALLOWED -> side + " of " + pod + ": allowed by "
          + allowedBy.stream().map(RuleRef::toString).collect(Collectors.joining(", "));
      case DENIED -> side + " of " + pod + ": isolated by "
          + isolatedBy.stream().map(ObjectRef::toString).collect(Collectors.joining(", "))
          + " and no rule allowed it";
    };
  }
}
