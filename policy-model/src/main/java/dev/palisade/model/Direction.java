package dev.palisade.model;

/** The direction of a policy rule, seen from the pod that the policy selects. */
public enum Direction {
  INGRESS,
  EGRESS;

  public String title() {
    return this == INGRESS ? "Ingress" : "Egress";
  }
}
