package dev.palisade.cli;

import dev.palisade.k8s.ClusterOptions;
import com.google.common.base.Ticker;
import dev.palisade.agent.Agent;
import dev.palisade.agent.ApiErrors;
import dev.palisade.agent.AgentSettings;
import dev.palisade.dataplane.backend.Dataplane;
import dev.palisade.dataplane.backend.IptablesDataplane;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.IncrementalNodeCompiler;
import dev.palisade.dataplane.compile.StableNames;
import dev.palisade.dataplane.ebpf.EbpfDataplane;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.IptablesBackend;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.kernel.PacketCounterReader;
import dev.palisade.dataplane.kernel.WriteStrategy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import dev.palisade.model.Cidr;
import dev.palisade.model.ObjectRef;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code palisade agent}: enforces NetworkPolicies on one node until stopped. Every option can
 * also come from {@code PALISADE_<OPTION>} or the {@code --config} file.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Enforce NetworkPolicies on this node (runs until stopped; needs root or "
        + "CAP_NET_ADMIN). Options also read PALISADE_<OPTION> environment variables and the "
        + "--config file.")
final class AgentCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);

  @Option(names = "--node-name", required = true, paramLabel = "NAME",
      description = "The Kubernetes node this agent enforces for (in a DaemonSet: "
          + "spec.nodeName through the downward API).")
  String nodeName;

  @Option(names = SettingsDefaults.CONFIG_OPTION, paramLabel = "FILE",
      description = "Properties file with defaults for these options (keys: long option names "
          + "without dashes, e.g. deny-action=REJECT). Also PALISADE_CONFIG.")
  File config;

  @Option(names = "--min-sync-interval", defaultValue = "0s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Syncs run at most this often. Events that arrive while a sync runs "
          + "always become one sync after it; a longer interval batches more, at the cost of "
          + "delay. Default: ${DEFAULT-VALUE}.")
  Duration minSyncInterval;

  @Option(names = "--max-sync-interval", defaultValue = "5m", paramLabel = "DURATION",
      converter = DurationConverter.Positive.class,
      description = "A sync runs at least this often, even with nothing to do. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration maxSyncInterval;

  @Option(names = "--drift-check-interval", defaultValue = "60s", paramLabel = "DURATION",
      converter = DurationConverter.Positive.class,
      description = "How often a sync reads Palisade's rules and sets back from the kernel to "
          + "find and repair what others changed (logged and counted as drift); the syncs in "
          + "between write the difference to what the agent last wrote, without reading. A "
          + "failed sync always reads. Default: ${DEFAULT-VALUE}.")
  Duration driftCheckInterval;

  @Option(names = "--rehearsals", defaultValue = "" + AgentSettings.DEFAULT_REHEARSALS,
      paramLabel = "N",
      description = "After its start, while idle, the agent compiles and diffs a change to one "
          + "of its node's pods this many times without writing anything, so that the JIT has "
          + "compiled that path before the first real one (at 10,000 pods: a local pod's compile "
          + "from 13 to 10 ms at the median). 0 turns it off. Default: ${DEFAULT-VALUE}.")
  int rehearsals;

  @Option(names = "--backend", defaultValue = "iptables", paramLabel = "iptables|ebpf",
      description = "How the kernel enforces: iptables chains and ipsets, or a tc eBPF program "
          + "on every local pod's interface with the policy in BPF maps (kernel 6.6 or later "
          + "with BTF and the conntrack kfunc, a routing CNI, a bpffs; docs/ebpf.md). "
          + "Default: ${DEFAULT-VALUE}.")
  String backend;

  @Option(names = "--bpffs", defaultValue = "/sys/fs/bpf", paramLabel = "DIR",
      description = "Where a bpffs is mounted (--backend=ebpf): the program, its maps and links "
          + "are pinned under DIR/palisade/<instance>, where a restarted agent adopts them. "
          + "Default: ${DEFAULT-VALUE}.")
  Path bpffs;

  @Option(names = "--write-strategy", defaultValue = "incremental", paramLabel = "STRATEGY",
      converter = WriteStrategyConverter.class,
      description = "incremental (write only the difference) or full-resync (rewrite every "
          + "chain and refill every set on every sync, as a full-resync enforcer does; for "
          + "comparison in benchmarks). Default: ${DEFAULT-VALUE}.")
  WriteStrategy writeStrategy;

  @Option(names = "--retry-interval", defaultValue = "1s", paramLabel = "DURATION",
      converter = DurationConverter.Positive.class,
      description = "First retry after a failed sync; doubles up to --max-retry-interval. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration retryInterval;

  @Option(names = "--max-retry-interval", defaultValue = "30s", paramLabel = "DURATION",
      converter = DurationConverter.Positive.class,
      description = "Longest wait between retries of a failing sync. Default: ${DEFAULT-VALUE}.")
  Duration maxRetryInterval;

  @Option(names = "--readiness-grace", defaultValue = "1m", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "After a successful sync, /readyz stays ready while syncs fail (or wait for "
          + "the API server's complete view) for up to this long. Default: ${DEFAULT-VALUE}.")
  Duration readinessGrace;

  @Option(names = "--stuck-sync-timeout", defaultValue = "5m", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "/healthz fails when one sync runs longer than this (or the sync loop "
          + "died), so that the kubelet restarts the agent. Default: ${DEFAULT-VALUE}.")
  Duration stuckSyncTimeout;

  @Option(names = "--health-address", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
      description = "Address of /healthz, /readyz, /metrics, /status and /explain. "
          + "Default: ${DEFAULT-VALUE}.")
  String healthAddress;

  @Option(names = "--health-port", defaultValue = "9301", paramLabel = "PORT",
      description = "Port of /healthz, /readyz, /metrics, /status and /explain (0: any free port). "
          + "Default: ${DEFAULT-VALUE}.")
  int healthPort;

  @Option(names = "--pod-name", defaultValue = "${env:POD_NAME}", paramLabel = "NAME",
      description = "The agent's own pod (env POD_NAME). With --pod-namespace it lets the agent "
          + "see its DaemonSet deleted and remove its rules on uninstall.")
  String podName;

  @Option(names = "--pod-namespace", defaultValue = "${env:POD_NAMESPACE}",
      paramLabel = "NAMESPACE", description = "The agent's own namespace (env POD_NAMESPACE).")
  String podNamespace;

  @Option(names = "--purge-conntrack", defaultValue = "false", arity = "1",
      paramLabel = "true|false",
      description = "After a policy change, delete the conntrack entries of connections opened "
          + "by pods that the policies now deny, so tightening a policy cuts them. "
          + "Default: ${DEFAULT-VALUE}.")
  boolean purgeConntrack;

  @Option(names = "--exit-when-stdin-closes", hidden = true,
      description = "Stop (leaving the rules in force) when standard input ends: a harness "
          + "that starts the agent with a pipe on its standard input (palisade demo) makes the "
          + "agent die with it, even when the harness is killed with SIGKILL.")
  boolean exitWhenStdinCloses;

  @Mixin
  ClusterOptions cluster;

  @Mixin
  KernelOptions kernelOptions;

  @Mixin
  DataplaneOptions dataplane;

  @Mixin
  InstallationOption instance;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (spec.defaultValueProvider() instanceof SettingsDefaults defaults
        && !defaults.unknownKeys(spec).isEmpty()) {
      throw new ParameterException(spec.commandLine(), "the config file sets "
          + defaults.unknownKeys(spec) + ", which are not agent options");
    }
    requireAtMost("--min-sync-interval", minSyncInterval, "--max-sync-interval",
        maxSyncInterval);
    requireAtMost("--min-sync-interval", minSyncInterval, "--drift-check-interval",
        driftCheckInterval);
    requireAtMost("--retry-interval", retryInterval, "--max-retry-interval", maxRetryInterval);
    if (rehearsals < 0) {
      throw new ParameterException(spec.commandLine(), "--rehearsals must not be negative, not "
          + rehearsals);
    }
    AgentSettings settings = new AgentSettings(nodeName, minSyncInterval, maxSyncInterval,
        driftCheckInterval, retryInterval, maxRetryInterval, readinessGrace, stuckSyncTimeout, healthAddress,
        healthPort,
        podName == null || podNamespace == null ? Optional.empty()
            : Optional.of(ObjectRef.of(podNamespace, podName)), rehearsals);
    if (!List.of("iptables", "ebpf").contains(backend)) {
      throw new ParameterException(spec.commandLine(), "--backend must be iptables or ebpf, not '"
          + backend + "'");
    }
    try (KubernetesClient client = cluster.client()) {
      // Purging a flow only ends it if its next packet is not picked up again mid-stream.
      DataplaneSettings dataplaneSettings = dataplane.settings(() -> nodePodCidrs(client))
          .withStrictTcpPickup(purgeConntrack)
          .withInstallation(instance.installation);
      CommandRunner node = kernelOptions.runner();
      if (backend.equals("ebpf")) {
        refuseWhatEbpfCannotDo(dataplaneSettings);
        EbpfDataplane ebpf = new EbpfDataplane(nodeName, dataplaneSettings,
            kernelOptions.pinLayout(bpffs, instance.installation), kernelOptions.netnsPath(),
            node, kernelOptions.hostRunner());
        ebpf.start();
        return run(client, settings, ebpf, node);
      }
      return run(client, settings, new IptablesDataplane(
          new IncrementalNodeCompiler(nodeName, dataplaneSettings),
          writer(kernelOptions.writer(instance.installation)),
          new PacketCounterReader(node, IptablesBackend.detect(node)),
          new StableNames(instance.installation)), node);
    }
  }

  /**
   * The agent's writer: its set updates go through one ipset process for the agent's lifetime
   * and its restores return at the receipt of their commit, except with the full-resync
   * strategy, which stands for an enforcer that restores everything with a process per sync and
   * waits for it.
   */
  private KernelWriter writer(KernelWriter machine) {
    KernelWriter strategic = machine.withStrategy(writeStrategy);
    return writeStrategy == WriteStrategy.INCREMENTAL
        ? strategic.withIpsetSession(KernelOptions.COMMAND_TIMEOUT)
            .withRestoreReceipts(KernelOptions.COMMAND_TIMEOUT)
        : strategic;
  }

  /**
   * The settings the eBPF program does not implement are refused, not ignored: an admin who asks
   * for logging must not believe they have it.
   */
  private void refuseWhatEbpfCannotDo(DataplaneSettings settings) {
    List<String> refused = new ArrayList<>();
    if (settings.denyLog().isPresent()) {
      refused.add("--log-denied=true (no NFLOG from the program; its counters are in /metrics)");
    }
    if (!settings.failClosedPodCidrs().isEmpty()) {
      refused.add("--fail-closed=true");
    }
    if (writeStrategy != WriteStrategy.INCREMENTAL) {
      refused.add("--write-strategy=" + writeStrategy + " (an iptables comparison)");
    }
    if (purgeConntrack) {
      refused.add("--purge-conntrack=true (needless: the program judges every packet of an "
          + "established connection by the current policy)");
    }
    if (!refused.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--backend=ebpf does not support "
          + String.join(", ", refused) + "; use --backend=iptables for "
          + (refused.size() == 1 ? "it" : "them"));
    }
  }

  private <S> int run(KubernetesClient client, AgentSettings settings, Dataplane<S> kernel,
      CommandRunner node) throws InterruptedException, IOException {
    CountDownLatch stopped = new CountDownLatch(1);
    Agent<S> agent = new Agent<>(client, settings, kernel,
        purgeConntrack ? Optional.of(node) : Optional.empty(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Ticker.systemTicker());
    agent.exportPacketCounters();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        agent.close();
        kernel.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        stopped.countDown();
      }
    }, "palisade-shutdown"));
    if (exitWhenStdinCloses) {
      StdinWatch.start(System.in, () -> {
        log.info("standard input closed: the process that started this agent is gone; "
            + "stopping");
        System.exit(0);
      });
    }
    agent.start();
    stopped.await();
    return 0;
  }

  private void requireAtMost(String shorter, Duration shorterValue, String longer,
      Duration longerValue) {
    if (shorterValue.compareTo(longerValue) > 0) {
      throw new ParameterException(spec.commandLine(), shorter + " ("
          + DurationConverter.format(shorterValue) + ") must not be longer than " + longer
          + " (" + DurationConverter.format(longerValue) + ")");
    }
  }

  /**
   * The Node's pod CIDRs, read once at start for fail-closed; while the API server cannot answer
   * this retries with backoff (the kernel is not touched before the first sync anyway).
   */
  private List<Cidr> nodePodCidrs(KubernetesClient client) {
    Duration delay = Duration.ofSeconds(1);
    while (true) {
      try {
        return readNodePodCidrs(client);
      } catch (KubernetesClientException e) {
        log.error("cannot read Node {} for its pod CIDRs ({}); retrying in {} s", nodeName,
            ApiErrors.explain(e), delay.toSeconds());
      }
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading Node " + nodeName, e);
      }
      delay = Collections.min(List.of(delay.multipliedBy(2), Duration.ofSeconds(30)));
    }
  }

  /** The Node's spec.podCIDRs (spec.podCIDR on older clusters); empty when it has none. */
  private List<Cidr> readNodePodCidrs(KubernetesClient client) {
    Node node = client.nodes().withName(nodeName).get();
    if (node == null || node.getSpec() == null) {
      return List.of();
    }
    List<String> cidrs = node.getSpec().getPodCIDRs() != null
        && !node.getSpec().getPodCIDRs().isEmpty() ? node.getSpec().getPodCIDRs()
        : node.getSpec().getPodCIDR() == null ? List.of() : List.of(node.getSpec().getPodCIDR());
    return cidrs.stream().map(Cidr::parse).toList();
  }
}
