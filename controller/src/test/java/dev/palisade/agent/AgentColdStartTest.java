package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.kernel.FakeKernel;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.k8s.TrimmedObjects;
import dev.palisade.model.RuleGraph;
import dev.palisade.testing.ClusterLoad;
import dev.palisade.testing.SlowInformerClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An agent starting against a cluster that is already full must program its node once, from
 * the complete cluster: fabric8 calls an informer synced as soon as its cache holds the initial
 * list, while the handlers that feed the rule graph are still working through it. Here the
 * agent's client hands informer events to the handlers slowly ({@link SlowInformerClient}), so
 * the gap is seconds wide and a sync that trusted {@code hasSynced()} alone would compile a
 * partial cluster.
 */
class AgentColdStartTest {
  private static final String NODE = "node-1";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ClusterLoad LOAD = new ClusterLoad(10, 1500, 150, NODE, 20);

  private final KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher();
  private KubernetesMockServer server;
  private KubernetesClient admin;
  private SlowInformerClient agentClient;
  private Agent<DesiredState> agent;
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @BeforeEach
  void startServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    admin = server.createClient();
    agentClient = new SlowInformerClient(admin, Duration.ofMillis(1));
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    agentClient.close();
    admin.close();
    server.destroy();
  }

  @Test
  void theFirstProgramIsTheCompleteClusterAndNoPartialStateIsEverWritten() throws Exception {
    ClusterLoad.Written written = LOAD.writeTo(admin);
    DesiredState complete = compileFromScratch(written.all());
    List<DesiredState> programs = new CopyOnWriteArrayList<>();
    agent = new Agent<>(agentClient.client(),
        AgentSettings.defaults(NODE).withHealth("127.0.0.1", 0),
        TestDataplanes.iptables((graph, changes) -> {
          DesiredState desired = NodeCompiler.compile(graph, NODE, DataplaneSettings.DEFAULTS);
          programs.add(desired);
          return desired;
        }, FakeKernel.writerOver(new FakeKernel())),
        Optional.empty(), meters, Ticker.systemTicker());

    agent.start();
    assertThat(agent.isReady()).as("not ready before a sync of the complete cluster").isFalse();
    await("every written object enforced", () -> written.all().stream().allMatch(this::enforced));

    assertThat(programs).as("syncs run").isNotEmpty();
    assertThat(ruleCount(programs.get(0))).as("rules of the first program vs the settled one")
        .isEqualTo(ruleCount(complete));
    assertThat(programs).as("every program the agent compiled (and so wrote)")
        .allSatisfy(program -> assertThat(program).isEqualTo(complete));
    assertThat(meters.get("palisade.model.complete").gauge().value()).isEqualTo(1.0);
    TrimmedObjects trimmed = new TrimmedObjects();
    assertThat(agent.cached("Pod")).as("the cache holds trimmed copies (no container images)")
        .containsExactlyInAnyOrderElementsOf(written.pods().stream().map(trimmed::pod).toList());
  }

  private boolean enforced(HasMetadata object) {
    return agent.enforcedVersions().getOrDefault(object.getKind(), -1L)
        >= Long.parseLong(object.getMetadata().getResourceVersion());
  }

  /** The node's state compiled from a graph that took in every object before compiling. */
  private static DesiredState compileFromScratch(List<HasMetadata> objects) {
    ModelConverter converter = new ModelConverter();
    RuleGraph graph = new RuleGraph();
    for (HasMetadata object : objects) {
      if (object instanceof io.fabric8.kubernetes.api.model.Namespace namespace) {
        graph.upsertNamespace(converter.namespace(namespace));
      } else if (object instanceof io.fabric8.kubernetes.api.model.Pod pod) {
        graph.upsertPod(converter.pod(pod));
      } else {
        graph.upsertPolicy(converter.networkPolicy(
            (io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy) object));
      }
    }
    return NodeCompiler.compile(graph, NODE, DataplaneSettings.DEFAULTS);
  }

  private static long ruleCount(DesiredState state) {
    return List.of(state.v4(), state.v6()).stream().map(FamilyState::chains)
        .flatMap(chains -> chains.values().stream())
        .mapToLong(chain -> chain.rules().size()).sum();
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      pause(Duration.ofMillis(20));
    }
  }

  private static void pause(Duration duration) {
    try {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
