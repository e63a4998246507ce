package dev.palisade.scenario;

import dev.palisade.model.ObjectRef;

/** A cell where the observed reachability differs from the truth table. */
public record Mismatch(ObjectRef from, ObjectRef to, Reachability expected,
    Reachability observed) {

  @Override
  public String toString() {
    return from + " -> " + to + ": expected " + expected.word() + ", observed "
        + observed.word();
  }
}
