package dev.palisade.scenario;

import java.util.OptionalLong;

/**
 * What answers a scenario's probes: the reference evaluator ({@code palisade matrix}) or a real
 * cluster of network namespaces and agents ({@code palisade demo}). The runner keeps the
 * scenario's objects in a {@link ClusterState}; a backend makes its world match that state and
 * then observes it.
 */
public interface ScenarioBackend {

  /** "matrix" or "demo", as the JSON result names the mode. */
  String mode();

  /**
   * Brings the backend to the cluster's current state (the changes of a step are done) and
   * returns once they are enforced: the milliseconds that took, when the backend measures it.
   *
   * @throws dev.palisade.k8s.InvalidInputException when the backend's API server refuses an
   *     object (the message names the object and quotes the server)
   */
  OptionalLong converge(ClusterState cluster);

  /** The reachability matrix of one probe, over the probe's endpoint pods. */
  Matrix observe(ClusterState cluster, Probe probe);

  /** The offline backend: the state is the answer, evaluated by the reference evaluator. */
  ScenarioBackend EVALUATOR = new ScenarioBackend() {
    @Override
    public String mode() {
      return "matrix";
    }

    @Override
    public OptionalLong converge(ClusterState cluster) {
      return OptionalLong.empty();
    }

    @Override
    public Matrix observe(ClusterState cluster, Probe probe) {
      return MatrixEvaluator.observe(cluster.graph(), probe.port(), probe.family());
    }
  };
}
