package dev.palisade.cli;

import dev.palisade.k8s.ClusterOptions;
import dev.palisade.logs.DeniedPackets;
import dev.palisade.logs.InformerDirectory;
import dev.palisade.logs.NflogFollower;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code palisade logs}: follows the packets this node's agent denied and logged. */
@Command(name = "logs", mixinStandardHelpOptions = true,
    description = {
        "Follows the packets a node's agent denied (the agent runs with --log-denied=true) and "
            + "prints one line each: time, source and destination (pods by namespace/name), "
            + "protocol and port, the direction that denied it and the policies that isolate "
            + "the pod whose rules denied it. Listens to the NFLOG group on a netlink socket; "
            + "needs CAP_NET_ADMIN in the node's network namespace.",
        "On a node: in the agent's container (`kubectl exec POD -- java -jar "
            + "/opt/palisade/palisade.jar logs`, the cluster read with the agent's "
            + "ServiceAccount). On the demo: `palisade logs --node node-1` while `palisade demo "
            + "--log-denied` runs.",
        "Exit status: 0 stopped after --count lines or by a signal, 1 the group or the "
            + "cluster cannot be read, 2 unusable options."})
final class LogsCommand implements Callable<Integer> {
  private static final long LIST_TIMEOUT_SECONDS = 30;
  private static final long DEMO_POLL_MILLIS = 500;

  @Option(names = "--nflog-group", defaultValue = "100", paramLabel = "N",
      converter = IntRangeConverter.NflogGroup.class,
      description = "The agent's --nflog-group. Default: ${DEFAULT-VALUE}.")
  int nflogGroup;

  @Option(names = "--netns", paramLabel = "NAME",
      description = "Follow the log of network namespace NAME (as `ip netns exec NAME`). "
          + "Default: this process's (on a node, the agent's container shares the host's).")
  String netns;

  @Option(names = "--node", paramLabel = "NAME",
      description = "A node of the `palisade demo` running on this machine (its network "
          + "namespace and API server); waits for the demo to start its agents.")
  String node;

  @Option(names = "--count", paramLabel = "N",
      description = "Stop after N lines. Default: follow until stopped.")
  Integer count;

  @Mixin
  ClusterOptions cluster;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (node != null && netns != null) {
      throw new ParameterException(spec.commandLine(),
          "--node names a demo node, whose namespace the demo knows: give --node or --netns");
    }
    if (count != null && count < 1) {
      throw new ParameterException(spec.commandLine(), "--count must be at least 1");
    }
    if (netns != null && !Files.exists(Path.of("/run/netns", netns))) {
      throw new ParameterException(spec.commandLine(), "--netns " + netns
          + ": no such network namespace (`ip netns list` shows the named ones)");
    }
    Optional<String> namespace = Optional.ofNullable(netns);
    if (node != null) {
      RunningDemos.Demo demo = awaitDemo();
      namespace = Optional.of(demo.nodeNamespaces().get(node));
      if (cluster.kubeconfig == null) {
        cluster.kubeconfig = demo.kubeconfig().toFile();
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    try (KubernetesClient client = cluster.client();
        InformerDirectory directory = InformerDirectory.start(client, LIST_TIMEOUT_SECONDS);
        NflogFollower follower = NflogFollower.start(namespace, nflogGroup)) {
      Thread stop = new Thread(follower::close, "palisade-logs-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      DeniedPackets.print(follower, directory, spec.commandLine().getOut(),
          Optional.ofNullable(count));
      removeHook(stop);
      return ExitCode.OK;
    } catch (IOException | IllegalStateException e) {
      err.println("palisade: logs: " + e.getMessage());
      return ExitCode.FAILED;
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running: it closed the follower, which is why print returned
    }
  }

  /** The demo that runs node {@link #node}, once it has started its agents. */
  private RunningDemos.Demo awaitDemo() throws InterruptedException {
    RunningDemos demos = new RunningDemos(RunningDemos.FOLDER);
    boolean told = false;
    while (true) {
      List<RunningDemos.Demo> running = demos.withNode(node);
      if (!running.isEmpty()) {
        return running.get(running.size() - 1);
      }
      if (!told) {
        spec.commandLine().getErr().println("palisade: logs: waiting for a `palisade demo` "
            + "with node " + node + " on this machine (Ctrl-C to stop)");
        spec.commandLine().getErr().flush();
        told = true;
      }
      Thread.sleep(DEMO_POLL_MILLIS);
    }
  }
}
