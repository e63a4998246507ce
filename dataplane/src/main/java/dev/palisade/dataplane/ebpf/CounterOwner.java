package dev.palisade.dataplane.ebpf;

import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import java.util.Locale;

/**
 * Whose packets one slot of the {@code counters} map counts: what {@code PacketCounts} reports,
 * as the iptables backend counts it with its rule counters.
 */
public sealed interface CounterOwner {
  /** The packets the program dropped at a local pod in one direction. */
  record Denied(ObjectRef pod, Direction direction) implements CounterOwner {
    @Override
    public String toString() {
      return "denied " + pod + " " + direction.name().toLowerCase(Locale.ROOT);
    }
  }

  /** The packets a policy allowed; a packet several policies allow, the first by name. */
  record Allowed(ObjectRef policy) implements CounterOwner {
    @Override
    public String toString() {
      return "allowed by " + policy;
    }
  }
}
