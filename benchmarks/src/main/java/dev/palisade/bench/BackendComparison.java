package dev.palisade.bench;

import com.google.common.net.InetAddresses;
import dev.palisade.bench.EventPhases.Phase;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.ProcessCommandRunner;
import dev.palisade.dataplane.lab.BpffsMount;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.demo.EmbeddedApiServer;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Issue 11's side-by-side figures: the same synthetic cluster (10,000 pods, 1,000 policies by
 * default) and the same events on one node, measured through the real agent with the iptables
 * backend and then with the eBPF backend, in one run: pod event → kernel written (sets, or
 * maps), policy add / update / delete → enforced (p50 and p99 of the agent's own
 * receipt-to-written delays), and new TCP connections per second through the node with the
 * node's policies loaded vs no filter ({@link ConnectionRateMeasurement}, which also reads the
 * program's cost per packet from the kernel's BPF run-time statistics).
 *
 * <p>The node's pods get interfaces as a routing CNI gives them (a veth per pod with a host
 * route to its address, event pods included, before their events): the eBPF backend finds a
 * pod's interface by that route. The iptables run gets the same interfaces, so both measure
 * the same node.
 *
 * <p>Run (as root): {@code java -cp benchmarks/target/benchmarks.jar
 * dev.palisade.bench.BackendComparison [--events N]}
 */
public final class BackendComparison implements Callable<Integer> {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
  private static final List<String> BACKENDS = List.of("iptables", "ebpf");

  @Mixin
  ClusterSizeOptions cluster;

  @Option(names = "--events", defaultValue = "1000",
      description = "Events per phase. Default: ${DEFAULT-VALUE}.")
  int events;

  @Option(names = "--rate-rounds", defaultValue = "4",
      description = "Connection-rate rounds of each kind per backend. Default: ${DEFAULT-VALUE}.")
  int rateRounds;

  @Option(names = "--node", defaultValue = "node-000",
      description = "The measured node. Default: ${DEFAULT-VALUE}.")
  String node;

  @Option(names = "--jar", defaultValue = "controller/target/palisade.jar",
      description = "The shipped jar whose agent is measured. Default: ${DEFAULT-VALUE}.")
  Path jar;

  /** What to measure, and with what. */
  record Settings(ClusterSize size, String node, int events, int rateRounds, Path jar) {}

  /**
   * Per figure, what each backend measured, in {@link #BACKENDS} order; and the run's facts.
   */
  record Result(Map<String, List<String>> rows, String facts) {
    String table() {
      StringBuilder table = new StringBuilder("| figure | iptables | ebpf |\n| --- | --- | --- |\n");
      rows.forEach((figure, measured) -> table.append("| ").append(figure).append(" | ")
          .append(String.join(" | ", measured)).append(" |\n"));
      return table + "\n" + facts + "\n";
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BackendComparison()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    System.out.println(run(new Settings(cluster.size(), node,
        events, rateRounds, jar)).table());
    return 0;
  }

  private final Settings settings;
  private final Map<String, List<String>> rows = new LinkedHashMap<>();

  /** For picocli, which fills the options. */
  BackendComparison() {
    this.settings = null;
  }

  private BackendComparison(Settings settings) {
    this.settings = settings;
  }

  /** Runs both backends; needs root and the shipped jar. */
  static Result run(Settings settings) throws Exception {
    return new BackendComparison(settings).measure();
  }

  private Result measure() throws Exception {
    long start = System.nanoTime();
    String loadBefore = MachineFacts.loadAverage();
    ClusterSize size = settings.size();
    int events = settings.events();
    String node = settings.node();
    SyntheticCluster cluster = SyntheticCluster.generate(size, SyntheticCluster.BENCHMARK_SEED);
    EventPlan plan = EventPlan.forNode(cluster, node);
    Path logs = Files.createTempDirectory("palisade-backends-");
    try (EmbeddedApiServer api = EmbeddedApiServer.start();
        KubernetesClient client = api.client();
        ReceiptWatch receipts = ReceiptWatch.start(client)) {
      ScaleBenchmark.progress("writing the cluster: " + size);
      api.preload(ScaleBenchmark.clusterObjects(cluster));
      Path kubeconfig = api.agentKubeconfig(logs);
      for (String backend : BACKENDS) {
        measureEvents(backend, cluster.toGraph(), plan, client, receipts, kubeconfig, logs);
      }
    }
    for (String backend : BACKENDS) {
      ScaleBenchmark.progress("connection rate, " + backend);
      ConnectionRateMeasurement.Result rate = ConnectionRateMeasurement.measure(
          new ConnectionRateMeasurement.Settings(size, settings.rateRounds(),
              Duration.ofSeconds(5)),
          ConnectionRateMeasurement.Backend.valueOf(backend.toUpperCase(Locale.ROOT)));
      add("new TCP connections per second, loaded ÷ no filter", String.format(Locale.ROOT,
          "%.3f (%,.0f/s ÷ %,.0f/s)", rate.ratio(), rate.median(
              ConnectionRateMeasurement.RoundKind.LOADED),
          rate.median(ConnectionRateMeasurement.RoundKind.NONE)));
      add("what the first packet of a connection is judged by", backend.equals("iptables")
          ? rate.rulesTested() + " rules"
          : "3 map lookups (endpoint, identity, verdict)");
      add("program run time per packet (kernel BPF statistics)",
          rate.programNanosPerPacket().isPresent()
              ? String.format(Locale.ROOT, "%.0f ns", rate.programNanosPerPacket().getAsDouble())
              : "n/a (no program)");
    }
    return new Result(rows, String.format(Locale.ROOT, "%s; %d events per phase on %s; "
        + "machine: nproc %d, kernel %s, %s; load average before %s, after %s; whole run "
        + "%.0f s; agent logs in %s", size, events, node, MachineFacts.processors(),
        MachineFacts.kernel(), MachineFacts.java(), loadBefore, MachineFacts.loadAverage(),
        (System.nanoTime() - start) / 1e9, logs));
  }

  private void measureEvents(String backend, RuleGraph graph, EventPlan plan,
      KubernetesClient client, ReceiptWatch receipts, Path kubeconfig, Path logs)
      throws Exception {
    ScaleBenchmark.progress("events, " + backend + " backend");
    String node = settings.node();
    try (NetnsCluster lab = NetnsCluster.start("palcmp" + backend.charAt(0), 1);
        BpffsMount bpffs = BpffsMount.mount()) {
      wirePodInterfaces(lab.nodeNamespace(1), localAddresses(graph, plan));
      List<String> options = new ArrayList<>(List.of("--node-name=" + node,
          "--netns=" + lab.nodeNamespace(1), "--kubeconfig=" + kubeconfig,
          "--min-sync-interval=0s", "--backend=" + backend));
      if (backend.equals("ebpf")) {
        options.add("--bpffs=" + bpffs.path());
      }
      try (MeasuredAgent agent = MeasuredAgent.start(settings.jar(),
          ScaleBenchmark.chartJvmOptions(),
          options, logs.resolve("agent-" + backend + ".log"))) {
        AgentLog.Start started = agent.awaitLog(AgentLog::start, START_TIMEOUT);
        add("cold start: node programmed after the informers' lists (its first sync)",
            (started.programmedAtMillis() - started.listedAtMillis()) + " ms (" + started
                .syncMillis() + " ms; " + started.localEndpoints() + " local endpoints, "
                + started.policies() + " policies)");
        EventPhases phases = new EventPhases(client, agent, receipts, plan, settings.events());
        for (Phase phase : phases.podPhases()) {
          add(phase.name() + " → kernel written", delays(phase));
        }
        for (Phase phase : phases.policyPhases().phases()) {
          add(phase.name() + " → enforced", delays(phase));
        }
      }
    }
  }

  private static String delays(Phase phase) {
    return "p50 " + ScaleReport.seconds(phase.delays().quantile(0.50), phase.delays())
        + ", p99 " + ScaleReport.seconds(phase.delays().quantile(0.99), phase.delays());
  }

  /** The node's pods' addresses and its event pods', one list per pod. */
  private List<List<InetAddress>> localAddresses(RuleGraph graph, EventPlan plan) {
    List<List<InetAddress>> addresses = new ArrayList<>();
    for (Pod pod : graph.endpointsOnNode(settings.node())) {
      addresses.add(pod.ips());
    }
    for (int i = 0; i < settings.events(); i++) {
      Pod running = plan.runningPod(i);
      if (running.nodeName().equals(settings.node())) {
        addresses.add(running.ips());
      }
    }
    return addresses;
  }

  /**
   * A veth per pod in the node's namespace with a host route to each of its addresses, as a
   * routing CNI sets them up before the pod's address is reported; one {@code ip -batch}.
   */
  private static void wirePodInterfaces(String nodeNamespace, List<List<InetAddress>> pods) {
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < pods.size(); i++) {
      String name = "pc" + i;
      batch.append("link add ").append(name).append(" type veth peer name ").append(name)
          .append("p\nlink set ").append(name).append(" up\nlink set ").append(name)
          .append("p up\n");
      for (InetAddress address : pods.get(i)) {
        batch.append("route add ").append(InetAddresses.toAddrString(address))
            .append(address.getAddress().length == 4 ? "/32" : "/128").append(" dev ")
            .append(name).append('\n');
      }
    }
    CommandResult result = new ProcessCommandRunner(Duration.ofMinutes(2)).run(
        List.of("ip", "-n", nodeNamespace, "-batch", "-"), batch.toString());
    if (!result.succeeded()) {
      throw new IllegalStateException("cannot wire the node's pod interfaces: "
          + result.stderr());
    }
  }

  private void add(String figure, String measured) {
    rows.computeIfAbsent(figure, unused -> new ArrayList<>()).add(measured);
  }

}
