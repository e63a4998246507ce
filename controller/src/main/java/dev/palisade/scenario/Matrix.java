package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import java.util.Optional;

/**
 * Reachability between every pair of endpoint pods for one port and family: {@code pods} in
 * namespace/name order, {@code cells} by source then destination (self pairs included).
 */
public record Matrix(ProbePort port, IpFamily family, ImmutableList<ObjectRef> pods,
    ImmutableMap<ObjectRef, ImmutableMap<ObjectRef, Reachability>> cells) {

  public Optional<Reachability> get(ObjectRef source, ObjectRef destination) {
    ImmutableMap<ObjectRef, Reachability> row = cells.get(source);
    return Optional.ofNullable(row == null ? null : row.get(destination));
  }
}
