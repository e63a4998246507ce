package dev.palisade.bench;

import picocli.CommandLine.Option;

/** The synthetic cluster's size as command-line options, for the benchmarks that run agents. */
final class ClusterSizeOptions {
  @Option(names = "--pods", defaultValue = "10000", description = "Default: ${DEFAULT-VALUE}.")
  int pods;

  @Option(names = "--policies", defaultValue = "1000",
      description = "Default: ${DEFAULT-VALUE}.")
  int policies;

  @Option(names = "--namespaces", defaultValue = "100",
      description = "Default: ${DEFAULT-VALUE}.")
  int namespaces;

  ClusterSize size() {
    return ClusterSize.of(namespaces, pods, policies);
  }
}
