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
 * The cluster that {@code -f PATH...} describes, or that a live API server holds, and where each
 * object was read from. Manifests written by hand have no node and no address; they are placed
 * on a two-node simulated cluster as a scenario's pods would be. Live objects are taken as they
 * are.
 */
record ManifestCluster(ClusterState cluster, Map<ObjectKey, String> origins) {
  private static final int NODES = 2;

  static ManifestCluster load(List<Path> paths, ManifestReading reading) {
    return new ManifestCluster(new ClusterState(NODES), Map.of())
        .apply(new ManifestLoader(reading.reader()).load(paths));
  }

  /** The objects of a live cluster, as its API server holds them (no simulated admission). */
  static ManifestCluster observe(List<Manifest> live) {
    ClusterState cluster = new ClusterState(NODES);
    cluster.observe(live);
    return new ManifestCluster(cluster, Map.of()).withOrigins(live);
  }

  /**
   * These manifests created or applied over what the cluster holds (a new pod is scheduled and
   * given an address, an existing one keeps them): "what if I applied this".
   */
  ManifestCluster apply(List<Manifest> manifests) {
    cluster.apply(manifests);
    return withOrigins(manifests);
  }

  private ManifestCluster withOrigins(List<Manifest> manifests) {
    Map<ObjectKey, String> merged = new HashMap<>(origins);
    // A later manifest of the same object replaces the earlier one, as in the cluster.
    manifests.forEach(manifest -> merged.put(manifest.key(), manifest.origin()));
    return new ManifestCluster(cluster, Map.copyOf(merged));
  }

  /** Warns of every policy Palisade enforces fail-closed: the tools show what the agent does. */
  ManifestCluster warnOfFailClosedPolicies(PrintWriter err) {
    cluster.failingClosed()
        .forEach(policy -> err.println("palisade: warning: " + policy.warning()));
    err.flush();
    return this;
  }
}
