package dev.palisade.scenario;

import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One cell of a matrix that differs between two states of a cluster. A side is empty where the
 * pod is not an endpoint in that state (it does not exist yet, or has no address).
 */
public record CellChange(ObjectRef source, ObjectRef destination, ProbePort port,
    IpFamily family, Optional<Reachability> before, Optional<Reachability> after) {

  /**
   * Every cell that differs between two matrices of the same port and family, over the pods of
   * either, sources then destinations in name order. A pod's traffic to itself is left out: it
   * never leaves the pod, and no policy applies to it.
   */
  public static List<CellChange> between(Matrix before, Matrix after) {
    Set<ObjectRef> pods = new LinkedHashSet<>(before.pods());
    pods.addAll(after.pods());
    List<ObjectRef> ordered = pods.stream().sorted().toList();
    List<CellChange> changes = new ArrayList<>();
    for (ObjectRef source : ordered) {
      for (ObjectRef destination : ordered) {
        Optional<Reachability> was = before.get(source, destination);
        Optional<Reachability> now = after.get(source, destination);
        if (!source.equals(destination) && !was.equals(now)) {
          changes.add(new CellChange(source, destination, after.port(), after.family(), was,
              now));
        }
      }
    }
    return changes;
  }

  /** e.g. "x/a -> x/b 80/TCP IPv4: allowed -> denied"; a missing side reads "no endpoint". */
  @Override
  public String toString() {
    return source + " -> " + destination + " " + port + " IPv" + family.number() + ": "
        + word(before) + " -> " + word(after);
  }

  private static String word(Optional<Reachability> side) {
    return side.map(Reachability::word).orElse("no endpoint");
  }
}
