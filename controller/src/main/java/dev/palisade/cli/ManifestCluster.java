package dev.palisade.cli;

import dev.palisade.k8s.ManifestLoader;
import dev.palisade.scenario.ClusterState;
import java.nio.file.Path;
import java.util.List;

/**
 * The cluster that {@code -f PATH...} describes. Manifests written by hand have no node and no
 * address; they are placed on a two-node simulated cluster as a scenario's pods would be.
 */
final class ManifestCluster {
  private static final int NODES = 2;

  private ManifestCluster() {}

  static ClusterState load(List<Path> paths) {
    ClusterState cluster = new ClusterState(NODES);
    cluster.apply(new ManifestLoader().load(paths));
    return cluster;
  }
}
