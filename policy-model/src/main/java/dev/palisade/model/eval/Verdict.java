package dev.palisade.model.eval;

/**
 * Whether a connection is allowed, with both halves: pod-to-pod traffic needs the source's
 * egress AND the destination's ingress to allow it.
 */
public record Verdict(DirectionVerdict egress, DirectionVerdict ingress) {

  public boolean allowed() {
    return egress.allows() && ingress.allows();
  }

  /** Two lines: the egress half, then the ingress half. */
  public String explain() {
    return (allowed() ? "ALLOWED" : "DENIED") + "\n  " + egress.explain() + "\n  "
        + ingress.explain();
  }
}
