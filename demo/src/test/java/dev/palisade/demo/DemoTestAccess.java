package dev.palisade.demo;

import dev.palisade.dataplane.lab.NetnsCluster;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What tests do to a running demo cluster that the demo itself never does: look into its
 * network namespaces, restart or stop its agents, take its API server away and bring it back.
 * Test code, so that the product has no methods only tests call; it reaches the package's state
 * directly.
 */
public final class DemoTestAccess {
  private DemoTestAccess() {}

  /** The cluster's network namespaces (drift, cleanup and counter tests look inside). */
  public static NetnsCluster lab(DemoBackend backend) {
    return backend.lab;
  }

  /**
   * The bpffs the eBPF agents pin under (each node's agent in {@code <mount>/<node name>}), while
   * the cluster runs them; empty with the iptables backend or before the agents start.
   */
  public static Optional<Path> bpffs(DemoBackend backend) {
    return Optional.ofNullable(backend.bpffs).map(mount -> mount.path());
  }

  /** Stops and starts the agent of one node (1-based) with the same command line. */
  public static void restartAgent(DemoBackend backend, int node) {
    AgentProcess agent = backend.agents.get(node - 1);
    agent.stop();
    agent.launch();
  }

  /**
   * Stops every agent and leaves its rules in the kernel; the backend's next
   * {@link DemoBackend#converge} starts new ones.
   */
  public static void stopAgents(DemoBackend backend) {
    backend.agents.forEach(AgentProcess::stop);
    backend.agents.clear();
  }

  /** Stops serving; objects stay (they live in the dispatcher) for {@link #resume}. */
  public static void pause(EmbeddedApiServer server) {
    server.server.shutdown();
  }

  /** Serves again on the same port, with every object kept: an API server restart. */
  public static void resume(EmbeddedApiServer server) {
    server.server = server.listen(server.port);
  }
}
