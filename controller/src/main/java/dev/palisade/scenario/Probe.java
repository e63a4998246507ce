package dev.palisade.scenario;

import dev.palisade.k8s.FieldPath;
import dev.palisade.model.IpFamily;
import java.util.Optional;

/**
 * One probe of a step: every endpoint pod to every endpoint pod with an address of
 * {@code family}, on {@code port}; {@code expect} is the optional truth table.
 *
 * @param field where the probe is written in the scenario file, for error messages
 */
public record Probe(FieldPath field, ProbePort port, IpFamily family,
    Optional<TruthTable> expect) {}
