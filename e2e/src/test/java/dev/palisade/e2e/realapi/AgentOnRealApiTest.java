package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import dev.palisade.agent.Agent;
import dev.palisade.agent.AgentSettings;
import dev.palisade.dataplane.backend.IptablesDataplane;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.StableNames;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.IptablesBackend;
import dev.palisade.dataplane.kernel.PacketCounterReader;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.compile.IncrementalNodeCompiler;
import dev.palisade.dataplane.kernel.FakeKernel;
import dev.palisade.dataplane.kernel.KernelCommandException;
import dev.palisade.dataplane.kernel.KernelSnapshot;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.testing.Eventually;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent on a real API server, authenticating with the chart's agent ServiceAccount (or
 * with credentials the API server refuses), over a fake kernel the test reads: it must never
 * exit, must say why it cannot work in terms an operator can act on, must stay unready and
 * leave the kernel alone while it cannot see the cluster, and must converge once it can; watches
 * that end every few seconds (a watch timeout, a load balancer) change nothing.
 */
@Tag("control-plane")
class AgentOnRealApiTest {
  private static final String SYSTEM = "palisade-system";
  private static final String NODE = "node-1";
  private static final Duration PATIENCE = Duration.ofSeconds(120);

  private static ControlPlane plane;
  private static HelmRelease release;

  @BeforeAll
  static void installChart() {
    plane = ControlPlane.start(false);
    plane.createNamespace(SYSTEM, Map.of("pod-security.kubernetes.io/enforce", "privileged"));
    release = new HelmRelease(plane, "palisade", SYSTEM);
    release.install(Map.of()).assertSucceeded();
  }

  @AfterAll
  static void stop() {
    if (plane != null) {
      plane.close();
    }
  }

  /** An in-process agent for {@link #NODE} over its own fake kernel. */
  private record RunningAgent(Agent<DesiredState> agent, KernelWriter kernel, KubernetesClient client,
      MeterRegistry meters) implements AutoCloseable {
    static RunningAgent start(KubernetesClient client) throws Exception {
      KernelWriter kernel = FakeKernel.writerOver(new FakeKernel());
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Agent<DesiredState> agent = new Agent<>(client,
          AgentSettings.defaults(NODE).withHealth("127.0.0.1", 0), new IptablesDataplane(
              new IncrementalNodeCompiler(NODE, DataplaneSettings.DEFAULTS)::compile, kernel,
              new PacketCounterReader((argv, stdin) -> new CommandResult(1, "", "not read"),
                  IptablesBackend.NFT), StableNames.DEFAULT),
          Optional.empty(), meters, Ticker.systemTicker());
      agent.start();
      return new RunningAgent(agent, kernel, client, meters);
    }

    KernelSnapshot snapshot() throws KernelCommandException {
      return kernel.read();
    }

    double apiErrors(String code) {
      return meters.find("palisade.api.errors").tag("code", code).counters().stream()
          .mapToDouble(counter -> counter.count()).sum();
    }

    boolean enforces(HasMetadata written) {
      return agent.enforcedVersions().getOrDefault(written.getKind(), -1L)
          >= Long.parseLong(written.getMetadata().getResourceVersion());
    }

    @Override
    public void close() throws Exception {
      agent.close();
      client.close();
    }
  }

  @Test
  void aForbiddenAgentSaysWhichPermissionIsMissingTouchesNothingAndRecoversWhenGranted()
      throws Exception {
    ClusterRoleBinding binding = plane.admin().rbac().clusterRoleBindings()
        .withName(release.agentServiceAccount()).get();
    plane.admin().resource(binding).delete();
    try (RunningAgent running = RunningAgent.start(
        plane.clientFor(SYSTEM, release.agentServiceAccount()))) {
      Eventually.within(PATIENCE, () -> assertThat(running.apiErrors("403")).isPositive());
      assertThat(running.agent().statusJson()).contains("403 Forbidden")
          .contains("system:serviceaccount:" + SYSTEM + ":" + release.agentServiceAccount())
          .contains("cannot list resource");
      Thread.sleep(2000);
      assertThat(running.agent().isReady()).isFalse();
      assertThat(running.snapshot().isClean()).as("nothing written while forbidden").isTrue();

      plane.admin().resource(new ClusterRoleBindingBuilder(binding).editMetadata()
          .withResourceVersion(null).withUid(null).endMetadata().build()).create();
      Eventually.within(PATIENCE, () -> assertThat(running.agent().isReady()).isTrue());
      assertThat(running.agent().statusJson()).contains("\"apiErrors\":\"\"");
    }
  }

  @Test
  void anAgentWithRefusedCredentialsSaysSoAndStaysUnready() throws Exception {
    Config refused = new ConfigBuilder(plane.admin().getConfiguration())
        .withClientCertData(null).withClientKeyData(null).withClientCertFile(null)
        .withClientKeyFile(null).withOauthToken("not-a-token").withHttp2Disable(true).build();
    try (RunningAgent running = RunningAgent.start(
        new KubernetesClientBuilder().withConfig(refused).build())) {
      Eventually.within(PATIENCE, () -> assertThat(running.apiErrors("401")).isPositive());
      assertThat(running.agent().statusJson()).contains("401 Unauthorized");
      assertThat(running.agent().isReady()).isFalse();
      assertThat(running.snapshot().isClean()).isTrue();
    }
  }

  @Test
  void anOutageWithCompactionLeavesTheKernelAloneAndTheAgentConvergesAfterARelist()
      throws Exception {
    plane.createNamespace("outage", Map.of());
    try (RunningAgent running = RunningAgent.start(
        plane.clientFor(SYSTEM, release.agentServiceAccount()))) {
      Pod web = createPod("outage", "web", "10.0.1.10", "web");
      HasMetadata policy = plane.admin().network().v1().networkPolicies().inNamespace("outage")
          .resource(new NetworkPolicyBuilder().withNewMetadata().withName("web-from-db")
              .endMetadata().withNewSpec().withPodSelector(selector("web")).addNewIngress()
              .addNewFrom().withPodSelector(selector("db")).endFrom().endIngress().endSpec()
              .build()).create();
      Eventually.within(PATIENCE, () -> assertThat(running.enforces(policy)).isTrue());
      assertThat(running.enforces(web)).isTrue();
      KernelSnapshot before = running.snapshot();

      plane.stopProcesses();
      Thread.sleep(15_000);
      assertThat(running.snapshot()).as("kernel during the outage").isEqualTo(before);
      assertThat(running.agent().statusJson()).contains("watch not running");
      plane.startProcesses();
      Pod db = createPod("outage", "db", "10.0.2.20", "db");
      plane.compactEtcd();

      Eventually.within(PATIENCE, () -> assertThat(running.enforces(db)).isTrue());
      assertThat(running.snapshot().sets().values())
          .anySatisfy(set -> assertThat(set.members()).contains("10.0.2.20"));
    }
  }

  @Test
  void watchesCutEveryFewSecondsNeitherStopTheAgentNorTouchTheKernel() throws Exception {
    plane.createNamespace("cut", Map.of());
    URI api = URI.create(plane.serverUrl());
    try (CuttingProxy proxy = new CuttingProxy(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), api.getPort()),
            Duration.ofSeconds(3));
        RunningAgent running = RunningAgent.start(new KubernetesClientBuilder().withConfig(
            new ConfigBuilder(Config.fromKubeconfig(plane.kubeconfigFor(SYSTEM,
                release.agentServiceAccount()).toFile()))
                .withMasterUrl("https://127.0.0.1:" + proxy.port()).withHttp2Disable(true)
                .build()).build())) {
      Pod web = createPod("cut", "web", "10.0.3.10", "web");
      Eventually.within(PATIENCE, () -> assertThat(running.enforces(web)).isTrue());
      KernelSnapshot before = running.snapshot();
      int cutsBefore = proxy.cuts();

      Eventually.within(PATIENCE, () -> assertThat(proxy.cuts())
          .as("the three watches cut twice").isGreaterThanOrEqualTo(cutsBefore + 6));
      assertThat(running.snapshot()).as("kernel while watches are cut").isEqualTo(before);
      Pod db = createPod("cut", "db", "10.0.4.20", "db");
      Eventually.within(PATIENCE, () -> assertThat(running.enforces(db)).isTrue());
      assertThat(running.agent().isReady()).isTrue();
    }
  }

  private static Pod createPod(String namespace, String name, String ip, String app) {
    Pod created = plane.admin().pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(name).addToLabels("app", app).endMetadata()
        .withNewSpec().withNodeName(name.equals("web") ? NODE : "node-2")
        .addNewContainer().withName("serve").withImage("registry.invalid/serve").endContainer()
        .endSpec().build()).create();
    return plane.admin().pods().inNamespace(namespace).resource(new PodBuilder(created)
        .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip)
        .endPodIP().endStatus().build()).updateStatus();
  }

  private static io.fabric8.kubernetes.api.model.LabelSelector selector(String app) {
    return new LabelSelectorBuilder().addToMatchLabels("app", app).build();
  }
}
