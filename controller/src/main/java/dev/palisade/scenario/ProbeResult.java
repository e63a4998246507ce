package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import java.util.Optional;

/** A probe, what it observed, and where that differs from its truth table (if it has one). */
public record ProbeResult(Probe probe, Matrix observed, ImmutableList<Mismatch> mismatches) {

  public Optional<TruthTable> expected() {
    return probe.expect();
  }

  public boolean passed() {
    return mismatches.isEmpty();
  }
}
