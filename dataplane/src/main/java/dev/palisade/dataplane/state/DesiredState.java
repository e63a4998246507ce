package dev.palisade.dataplane.state;

import dev.palisade.model.IpFamily;

/** The desired kernel state of one node: one {@link FamilyState} per IP family. */
public record DesiredState(FamilyState v4, FamilyState v6) {
  public FamilyState family(IpFamily family) {
    return family == IpFamily.V4 ? v4 : v6;
  }
}
