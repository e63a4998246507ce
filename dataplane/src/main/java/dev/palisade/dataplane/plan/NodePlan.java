package dev.palisade.dataplane.plan;

import dev.palisade.model.IpFamily;

/** A node's plan, per IP family. */
public record NodePlan(FamilyPlan v4, FamilyPlan v6) {
  public FamilyPlan family(IpFamily family) {
    return family == IpFamily.V4 ? v4 : v6;
  }
}
