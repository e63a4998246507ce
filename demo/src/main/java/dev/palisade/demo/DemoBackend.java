package dev.palisade.demo;

import dev.palisade.cli.RunningDemos;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.palisade.dataplane.lab.BpffsMount;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.k8s.ObjectKey;
import dev.palisade.model.ContainerPort;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.eval.Traffic;
import dev.palisade.scenario.ClusterState;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.MatrixEvaluator;
import dev.palisade.scenario.PodPlacement;
import dev.palisade.scenario.Probe;
import dev.palisade.scenario.Reachability;
import dev.palisade.scenario.ScenarioBackend;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Answers a scenario on the real dataplane: a cluster of network namespaces (one per node and
 * pod), an API server (the embedded one on loopback, or an external one), and one real agent
 * process per node. The harness plays kubelet and CNI (it creates pod namespaces with the pods'
 * addresses and serves their container ports), the node controller (Node objects) and the user
 * (it writes the scenario's objects); the agents do the rest. Everything the harness wrote to
 * the API server is deleted again when the cluster stops, and nothing else is touched
 * ({@link OwnedObjects}).
 *
 * <p>Waiting: after a step's writes the harness touches one barrier object per kind (see
 * {@link Barrier}) and waits until every agent reports that version of every kind enforced, so
 * no sleep decides when probes run.
 *
 * <p>Probes run in parallel, each a real TCP/UDP request or ping from the source pod's
 * namespace. SCTP cannot be probed here (no SCTP sockets in this kernel): it is reported
 * {@code unsupported}.
 */
public final class DemoBackend implements ScenarioBackend, AutoCloseable {
  /**
   * @param labPrefix the prefix of the network namespaces' names: a run's own, so that runs
   *     of different suites never sweep each other's (see {@link NetnsCluster})
   * @param apiServer where the objects go and what the agents watch; closed with the backend
   * @param classpath what the agent processes run (the shipped jar, or a build's classpath)
   * @param agentOptions extra options for every agent
   * @param backend the agents' {@code --backend}: iptables, or ebpf (then the backend mounts a
   *     bpffs of its own for their pins, and unmounts it when the cluster goes)
   * @param workDir where kubeconfig and agent logs go
   * @param progress where progress lines go (standard error for the CLI)
   * @param demos where to tell other commands of this machine about the running cluster
   *     ({@code palisade logs --node}), if anywhere
   */
  public record Settings(String labPrefix, ApiServer apiServer, String classpath,
      List<String> agentOptions, String backend, Path workDir, Duration enforceTimeout, PrintWriter progress,
      Optional<RunningDemos> demos) {}

  private final Settings settings;
  private final ModelConverter converter = new ModelConverter();
  private final ExecutorService probePool = Executors.newFixedThreadPool(8);
  /** One per node, in node order (tests stop and restart them: DemoTestAccess). */
  final List<AgentProcess> agents = new ArrayList<>();
  /** The pods the lab wired, as they were when wired: a pod that changes is wired anew. */
  private final Map<String, Pod> wired = new LinkedHashMap<>();
  private final Thread shutdownHook = new Thread(this::stopBySignal, "palisade-demo-cleanup");
  private final List<Runnable> afterStop = new ArrayList<>();
  private volatile boolean stoppedBySignal;
  /** The network namespaces of the running cluster (tests look inside: DemoTestAccess). */
  NetnsCluster lab;
  /** The eBPF agents' pins, while they run (tests look inside: DemoTestAccess). */
  BpffsMount bpffs;
  private KubernetesClient client;
  private OwnedObjects owned;
  private Writer writer;
  private Barrier barrier;

  public DemoBackend(Settings settings) {
    this.settings = settings;
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  @Override
  public String mode() {
    return "demo";
  }

  @Override
  public OptionalLong converge(ClusterState cluster) {
    if (lab != null && lab.nodeCount() != cluster.nodes()) {
      settings.progress().printf("demo: the next scenario has %d nodes, not %d: rebuilding%n",
          cluster.nodes(), lab.nodeCount());
      stopAll();
    }
    if (lab == null) {
      startCluster(cluster.nodes());
    }
    Map<ObjectKey, HasMetadata> desired = new LinkedHashMap<>();
    cluster.objects().forEach(object -> desired.put(ObjectKey.of(object), object));
    updatePodNetwork(desired);
    writer.sync(desired);
    long writtenAt = System.nanoTime();
    Map<String, Long> barrierVersions = barrier.touch();
    if (agents.isEmpty()) {
      startAgents(cluster.nodes());
    }
    awaitEnforced(barrierVersions);
    return OptionalLong.of(Duration.ofNanos(System.nanoTime() - writtenAt).toMillis());
  }

  private void startCluster(int nodes) {
    settings.progress().printf("demo: building a %d-node cluster of network namespaces%n",
        nodes);
    int orphans = AgentProcess.stopOrphans();
    if (orphans > 0) {
      settings.progress().printf("demo: stopped %d agents left behind by demos that were "
          + "killed%n", orphans);
    }
    settings.progress().flush();
    lab = NetnsCluster.start(settings.labPrefix(), nodes);
    client = settings.apiServer().client();
    owned = new OwnedObjects(client, settings.apiServer().describe());
    writer = new Writer(owned);
    barrier = new Barrier(owned);
  }

  private void startAgents(int nodes) {
    writeNodes(nodes);
    Path kubeconfig;
    try {
      kubeconfig = settings.apiServer().agentKubeconfig(settings.workDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the demo kubeconfig", e);
    }
    if (settings.backend().equals("ebpf") && bpffs == null) {
      bpffs = BpffsMount.mount();
    }
    for (int node = 1; node <= nodes; node++) {
      String name = PodPlacement.nodeName(node);
      List<String> options = new ArrayList<>(settings.agentOptions());
      options.add("--backend=" + settings.backend());
      if (bpffs != null) {
        // the nodes share this machine's bpffs, where each real node has its own
        options.add("--bpffs=" + bpffs.path().resolve(name));
      }
      agents.add(AgentProcess.start(settings.classpath(), name, lab.nodeNamespace(node),
          kubeconfig, settings.workDir().resolve("agent-" + name + ".log"), options));
    }
    Map<String, String> nodeNamespaces = new LinkedHashMap<>();
    for (int node = 1; node <= nodes; node++) {
      nodeNamespaces.put(PodPlacement.nodeName(node), lab.nodeNamespace(node));
    }
    settings.demos().ifPresent(demos -> demos.publish(new RunningDemos.Demo(
        ProcessHandle.current().pid(), kubeconfig, nodeNamespaces)));
    settings.progress().printf("demo: started %d agents (logs in %s)%n", nodes,
        settings.workDir());
    settings.progress().flush();
  }

  /**
   * Plays the node controller: a Node object per node with the pod CIDR its pods' addresses come
   * from, as agents read it (for {@code --fail-closed}) in a real cluster.
   */
  private void writeNodes(int nodes) {
    for (int node = 1; node <= nodes; node++) {
      String cidr = PodPlacement.podCidr(node);
      owned.put(new NodeBuilder().withNewMetadata().withName(PodPlacement.nodeName(node))
          .endMetadata().withNewSpec().withPodCIDR(cidr).withPodCIDRs(cidr).endSpec().build());
    }
  }

  /**
   * Plays CNI: pods that stop being endpoints (deleted, terminated) lose their namespace first,
   * so that a new pod may take their address; then new endpoint pods get theirs.
   */
  private void updatePodNetwork(Map<ObjectKey, HasMetadata> desired) {
    Map<String, Pod> endpoints = new LinkedHashMap<>();
    for (HasMetadata object : desired.values()) {
      if (object instanceof io.fabric8.kubernetes.api.model.Pod manifest) {
        Pod pod = converter.pod(manifest);
        if (pod.isEndpoint()) {
          endpoints.put(pod.ref().toString(), pod);
        }
      }
    }
    for (String key : List.copyOf(wired.keySet())) {
      Pod now = endpoints.get(key);
      if (now == null || !sameWiring(wired.get(key), now)) {
        lab.removePod(key);
        wired.remove(key);
      }
    }
    for (Map.Entry<String, Pod> entry : endpoints.entrySet()) {
      if (!wired.containsKey(entry.getKey())) {
        addPod(entry.getKey(), entry.getValue());
      }
    }
  }

  /** Labels and phase live in the API only; node, addresses and ports are the wiring. */
  private static boolean sameWiring(Pod before, Pod now) {
    return before.ips().equals(now.ips()) && before.ports().equals(now.ports())
        && before.nodeName().equals(now.nodeName());
  }

  private void addPod(String key, Pod pod) {
    wired.put(key, pod);
    lab.addPod(key, PodPlacement.nodeNumber(pod.nodeName()), pod.ips());
    for (ContainerPort port : pod.ports()) {
      if (port.protocol() == Protocol.TCP || port.protocol() == Protocol.UDP) {
        lab.serve(key, port.protocol(), port.port());
      }
    }
  }

  private void awaitEnforced(Map<String, Long> versions) {
    long deadline = System.nanoTime() + settings.enforceTimeout().toNanos();
    for (AgentProcess agent : agents) {
      while (!agent.enforces(versions)) {
        if (!agent.isAlive()) {
          throw new IllegalStateException("the agent of " + agent.node() + " exited; see "
              + agent.log());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the agent of " + agent.node() + " did not enforce "
              + versions + " within " + settings.enforceTimeout() + "; see " + agent.log());
        }
        sleep(Duration.ofMillis(25));
      }
    }
  }

  @Override
  public Matrix observe(ClusterState cluster, Probe probe) {
    List<Pod> endpoints = MatrixEvaluator.endpoints(cluster.graph(), probe.family());
    Map<ObjectRef, Map<ObjectRef, Future<Reachability>>> pending = new LinkedHashMap<>();
    for (Pod source : endpoints) {
      Map<ObjectRef, Future<Reachability>> row = new LinkedHashMap<>();
      for (Pod destination : endpoints) {
        row.put(destination.ref(), probePool.submit(() -> probe(source, destination, probe)));
      }
      pending.put(source.ref(), row);
    }
    ImmutableMap.Builder<ObjectRef, ImmutableMap<ObjectRef, Reachability>> cells =
        ImmutableMap.builder();
    pending.forEach((source, row) -> {
      ImmutableMap.Builder<ObjectRef, Reachability> observed = ImmutableMap.builder();
      row.forEach((destination, result) -> observed.put(destination, await(result)));
      cells.put(source, observed.build());
    });
    return new Matrix(probe.port(), probe.family(),
        endpoints.stream().map(Pod::ref).collect(ImmutableList.toImmutableList()),
        cells.build());
  }

  private Reachability probe(Pod source, Pod destination, Probe probe) {
    Optional<Traffic> traffic = probe.port().trafficTo(destination);
    if (traffic.isEmpty()) {
      return Reachability.DENIED;
    }
    if (traffic.get().protocol() == Protocol.SCTP) {
      return Reachability.UNSUPPORTED;
    }
    return Reachability.of(lab.reaches(source.ref().toString(),
        destination.ip(probe.family()).orElseThrow(), traffic.get().protocol(),
        traffic.get().port()));
  }

  private static Reachability await(Future<Reachability> result) {
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("a probe failed to run: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing", e);
    }
  }

  /** The API server the cluster writes to (for tests that write objects of their own). */
  public ApiServer apiServer() {
    return settings.apiServer();
  }

  /** Runs {@code step} once the cluster is taken down, by {@link #close} or on a signal. */
  public synchronized void afterStop(Runnable step) {
    afterStop.add(step);
  }

  /**
   * Whether the JVM is being stopped (SIGINT, SIGTERM) and this backend took the cluster down
   * for it: a scenario that fails from then on failed because of that, not because of a bug.
   */
  public boolean stoppedBySignal() {
    return stoppedBySignal;
  }

  @Override
  public void close() {
    probePool.shutdownNow();
    try {
      stopAndRunAfterStop();
    } finally {
      settings.apiServer().close();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or ran
    }
  }

  private void stopBySignal() {
    stoppedBySignal = true;
    probePool.shutdownNow();
    stopAndRunAfterStop();
  }

  private synchronized void stopAndRunAfterStop() {
    stopAll();
    afterStop.forEach(Runnable::run);
    afterStop.clear();
  }

  /**
   * Stops the agents, deletes what the harness wrote to the API server and removes the network
   * namespaces. A failed deletion is reported, not thrown: the rest must still go.
   */
  private synchronized void stopAll() {
    settings.demos().ifPresent(demos -> demos.withdraw(ProcessHandle.current().pid()));
    agents.forEach(AgentProcess::stop);
    agents.clear();
    if (owned != null) {
      try {
        owned.deleteAll();
      } catch (RuntimeException e) {
        settings.progress().println("demo: " + e.getMessage());
        settings.progress().flush();
      }
      owned = null;
    }
    if (client != null) {
      client.close();
      client = null;
    }
    if (lab != null) {
      lab.close();
      lab = null;
    }
    if (bpffs != null) {
      bpffs.close();
      bpffs = null;
    }
    wired.clear();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
