package dev.palisade.demo;

import dev.palisade.k8s.ClusterOptions;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.cli.DurationConverter;
import dev.palisade.cli.ExitCode;
import dev.palisade.cli.ManifestReading;
import dev.palisade.cli.OutputFormat;
import dev.palisade.cli.RunningDemos;
import dev.palisade.cli.ScenarioRuns;
import dev.palisade.scenario.ScenarioParser;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code palisade demo}: scenarios on the real dataplane — network namespaces for nodes and
 * pods, the embedded API server (or an external one), one real agent per node, real probes.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Runs scenarios on a real dataplane built on this machine: a network namespace per node "
            + "and pod, an embedded API server on loopback, one real agent per node, real TCP, "
            + "UDP and ICMP probes. Needs root. Nothing is routed to the machine's network, and "
            + "everything is removed at the end, also on Ctrl-C; agents die with the demo even "
            + "when it is killed, and the next demo stops any left behind.",
        "Without --scenario, runs a tour: policies applied one after another on the x/y/z x "
            + "a/b/c cluster, with the live matrix after each step.",
        "With --kubeconfig, the objects go to that cluster's API server instead (a real "
            + "kube-apiserver: its validation and admission apply), meant for a test control "
            + "plane without kubelets such as .ci/control-plane/start's; the demo refuses to "
            + "start when the namespaces or nodes it writes exist there already, and deletes "
            + "what it wrote at the end.",
        "Exit status: 0 all expectations match, 1 a mismatch, 2 unusable input (an object "
            + "the API server refuses, or one that exists there already, included) or no "
            + "root, 130 stopped by SIGINT or SIGTERM."})
public final class DemoCommand implements Callable<Integer> {
  private static final String TOUR = "/dev/palisade/demo/tour.yaml";
  private static final String LAB_PREFIX = "paldemo";

  @Mixin
  private ManifestReading reading;

  @Spec
  private CommandSpec spec;

  @Option(names = "--scenario", arity = "1..*", paramLabel = "FILE",
      description = "Scenario files (SCENARIO.md); each runs on a fresh cluster.")
  private List<Path> scenarios;

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default), json, html (a page with heat maps and graphs of what the "
          + "probes observed) or dot (Graphviz).")
  private OutputFormat output;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Use the API server of this kubeconfig instead of an embedded one; its "
          + "user needs to create, update and delete Namespaces, Nodes, Pods (and pods/status), "
          + "ServiceAccounts and NetworkPolicies, and to watch them. Default: the embedded API "
          + "server.")
  private Path kubeconfig;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where the kubeconfig and agent logs go. Default: a new temporary folder.")
  private Path workDir;

  @Option(names = "--keep",
      description = "Keep the work folder (kubeconfig, agent logs) after the demo. Without it, "
          + "a folder the demo created is removed when the demo ends, also on Ctrl-C; a "
          + "--work-dir that existed before is left as it is.")
  private boolean keep;

  @Option(names = "--enforce-timeout", defaultValue = "60s", paramLabel = "DURATION",
      converter = DurationConverter.Positive.class,
      description = "Longest wait for a step to be enforced. Default: ${DEFAULT-VALUE}.")
  private Duration enforceTimeout;

  @Option(names = "--backend", defaultValue = "iptables", paramLabel = "iptables|ebpf",
      description = "The agents' backend (agent --backend). Default: ${DEFAULT-VALUE}.")
  private String backend;

  @Option(names = "--log-denied",
      description = "The agents log denied packets (NFLOG group 100): follow them with "
          + "`palisade logs --node node-1` in another terminal while the demo runs.")
  private boolean logDenied;

  @Override
  public Integer call() throws IOException {
    if (workDir != null && Files.exists(workDir) && !Files.isDirectory(workDir)) {
      throw new ParameterException(spec.commandLine(), "--work-dir " + workDir
          + " is a file, not a folder");
    }
    if (!List.of("iptables", "ebpf").contains(backend)) {
      throw new ParameterException(spec.commandLine(), "--backend must be iptables or ebpf, not '"
          + backend + "'");
    }
    if (backend.equals("ebpf") && logDenied) {
      throw new ParameterException(spec.commandLine(), "--log-denied needs --backend=iptables: "
          + "the eBPF program logs nothing (its counters are in the agents' /metrics)");
    }
    try {
      NetnsCluster.requireRootAndTools();
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("palisade: demo: " + e.getMessage());
      return ExitCode.BAD_INPUT;
    }
    Optional<String> unusable = kubeconfig == null ? Optional.empty() : externalServerProblem();
    if (unusable.isPresent()) {
      spec.commandLine().getErr().println("palisade: demo: --kubeconfig " + kubeconfig + ": "
          + unusable.get());
      return ExitCode.BAD_INPUT;
    }
    boolean created = workDir == null || !Files.exists(workDir);
    Path logs = workDir != null ? Files.createDirectories(workDir)
        : Files.createTempDirectory("palisade-demo-");
    List<String> agentOptions = new ArrayList<>(List.of("--min-sync-interval=100ms",
        "--max-sync-interval=1m"));
    // a REJECT answers a denied probe at once
    agentOptions.add("--deny-action=REJECT");
    if (logDenied) {
      agentOptions.add("--log-denied=true");
    }
    DemoBackend.Settings settings = new DemoBackend.Settings(LAB_PREFIX, apiServer(),
        System.getProperty("java.class.path"), agentOptions, backend, logs, enforceTimeout,
        spec.commandLine().getErr(), Optional.of(new RunningDemos(RunningDemos.FOLDER)));
    ScenarioParser parser = new ScenarioParser(reading.reader());
    List<ScenarioRuns.Source> sources = scenarios == null ? List.of(() -> tour(parser))
        : scenarios.stream()
            .map(file -> (ScenarioRuns.Source) () -> parser.parse(file)).toList();
    DemoBackend backend = new DemoBackend(settings);
    if (created && !keep) {
      backend.afterStop(() -> removeWorkFolder(logs));
    }
    try {
      int status = new ScenarioRuns(spec.commandLine().getOut(), spec.commandLine().getErr(),
          output).run(sources, backend);
      if (!backend.stoppedBySignal()) {
        return status;
      }
    } catch (RuntimeException e) {
      if (!backend.stoppedBySignal()) {
        throw e;
      }
    }
    // The cluster was taken down under the running scenario: whatever it reported after that
    // is no finding and no bug.
    spec.commandLine().getErr().println("palisade: demo: stopped by a signal; the cluster and "
        + "its agents are removed");
    spec.commandLine().getErr().flush();
    return ExitCode.INTERRUPTED;
  }

  /** Removes the work folder the demo created, with the agents' logs (they have stopped). */
  private void removeWorkFolder(Path folder) {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      spec.commandLine().getErr().println("palisade: demo: could not remove " + folder + ": "
          + e.getMessage());
    }
  }

  /**
   * Checked before any namespace is built: a missing file, an unreachable server or refused
   * credentials is unusable input, not an internal error.
   */
  private Optional<String> externalServerProblem() {
    if (!Files.isRegularFile(kubeconfig)) {
      return Optional.of("no such file");
    }
    try (KubernetesClient client = connection().client()) {
      client.namespaces().list(new ListOptionsBuilder().withLimit(1L).build());
      return Optional.empty();
    } catch (KubernetesClientException e) {
      return Optional.of("cannot list namespaces on its API server: "
          + (e.getCause() == null ? e.getMessage() : causes(e)));
    }
  }

  /**
   * fabric8 wraps a connection failure in a message that names only the operation, and the JDK
   * client's exceptions often carry no message: their types say what happened.
   */
  private static String causes(Throwable thrown) {
    List<String> chain = new ArrayList<>();
    for (Throwable cause = thrown.getCause(); cause != null; cause = cause.getCause()) {
      chain.add(cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")"));
    }
    return String.join(", caused by ", chain);
  }

  private ApiServer apiServer() {
    return kubeconfig == null ? EmbeddedApiServer.start()
        : new ExternalApiServer(kubeconfig, connection()::client);
  }

  private ClusterOptions connection() {
    ClusterOptions connection = new ClusterOptions();
    connection.kubeconfig = kubeconfig.toFile();
    return connection;
  }

  private static dev.palisade.scenario.Scenario tour(ScenarioParser parser) {
    try (InputStream in = DemoCommand.class.getResourceAsStream(TOUR)) {
      if (in == null) {
        throw new IllegalStateException("the tour " + TOUR + " is missing from the jar");
      }
      return parser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
          "the built-in tour");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
