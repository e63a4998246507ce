package dev.palisade.cli;

/** {@code --output}: truth tables for people, or SCENARIO.md's JSON result for programs. */
enum OutputFormat {
  table,
  json
}
