package dev.palisade.controller;

import io.fabric8.kubernetes.api.model.Event;
import java.util.List;

/** What to write so that a policy's Events say what the analysis found; empty when in step. */
record EventChanges(List<Event> creates, List<Event> updates, List<String> deletes) {

  EventChanges {
    creates = List.copyOf(creates);
    updates = List.copyOf(updates);
    deletes = List.copyOf(deletes);
  }

  boolean isEmpty() {
    return creates.isEmpty() && updates.isEmpty() && deletes.isEmpty();
  }
}
