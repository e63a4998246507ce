package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import dev.palisade.k8s.Manifest;

/** One step: objects to create or replace, objects to delete, then the probes to run. */
public record Step(String name, ImmutableList<Manifest> apply, ImmutableList<Deletion> delete,
    ImmutableList<Probe> probes) {}
