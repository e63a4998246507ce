package dev.palisade.scenario;

import dev.palisade.k8s.FieldPath;
import dev.palisade.k8s.ObjectKey;

/** A step's {@code delete} entry: the object to remove, and where the entry is written. */
public record Deletion(FieldPath field, ObjectKey key) {}
