package dev.palisade.model.lint;

/** How much a lint finding matters. */
public enum Severity {
  /** The API server rejects the shape, or Palisade cannot enforce it as written. */
  ERROR,
  /** Valid, but very likely not what the author meant. */
  WARNING,
  /** Valid and possibly intended; worth a second look. */
  INFO
}
