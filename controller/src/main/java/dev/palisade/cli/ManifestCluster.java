package dev.palisade.cli;

import dev.palisade.k8s.Manifest;
import dev.palisade.k8s.ManifestLoader;
import dev.palisade.k8s.ObjectKey;
import dev.palisade.scenario.ClusterState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster that {@code -f PATH...} describes, and where each object was read from. Manifests
 * written by hand have no node and no address; they are placed on a two-node simulated cluster
 * as a scenario's pods would be.
 */
record ManifestCluster(ClusterState cluster, Map<ObjectKey, String> origins) {
  private static final int NODES = 2;

  static ManifestCluster load(List<Path> paths, ManifestReading reading) {
    List<Manifest> manifests = new ManifestLoader(reading.reader()).load(paths);
    ClusterState cluster = new ClusterState(NODES);
    cluster.apply(manifests);
    Map<ObjectKey, String> origins = new HashMap<>();
    // A later manifest of the same object replaces the earlier one, as in the cluster.
    manifests.forEach(manifest -> origins.put(manifest.key(), manifest.origin()));
    return new ManifestCluster(cluster, Map.copyOf(origins));
  }

  /** Warns of every policy Palisade enforces fail-closed: the tools show what the agent does. */
  ManifestCluster warnOfFailClosedPolicies(PrintWriter err) {
    cluster.failingClosed()
        .forEach(policy -> err.println("palisade: warning: " + policy.warning()));
    err.flush();
    return this;
  }
}
