package dev.palisade.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.IncrementalNodeCompiler;
import dev.palisade.dataplane.compile.StableNames;
import dev.palisade.dataplane.kernel.FakeKernel;
import dev.palisade.dataplane.kernel.KernelCommandException;
import dev.palisade.dataplane.kernel.KernelSet;
import dev.palisade.dataplane.kernel.KernelSnapshot;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.k8s.TrimmedObjects;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.realization.AgentLease;
import dev.palisade.realization.AgentReport;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent against the fabric8 mock API server in CRUD mode, with the real compiler and kernel
 * writer over a fake kernel: API changes must reach the kernel state, and the agent must report
 * the resource versions it enforces.
 */
class AgentMockServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String NODE = "node-1";
  /** Batches the events of a burst into one sync, as the agents of older releases did. */
  private static final Duration MIN_SYNC_INTERVAL = Duration.ofSeconds(1);
  /** Short, so that the drift test sees a read-back soon; other syncs trust the last write. */
  private static final Duration DRIFT_CHECK_INTERVAL = Duration.ofSeconds(2);

  private final KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher();
  private KubernetesMockServer server;
  private KubernetesClient client;
  private final FakeKernel kernel = new FakeKernel();
  private final KernelWriter writer = FakeKernel.writerOver(kernel);
  private Agent<DesiredState> agent;
  /** The meters of the latest {@link #newAgent}: what its /metrics serves. */
  private PrometheusMeterRegistry meters;

  @BeforeEach
  void startServerAndAgent() throws Exception {
    server = newServer(0);
    client = server.createClient();
    agent = newAgent(AgentSettings.defaults(NODE)
        .withSyncIntervals(MIN_SYNC_INTERVAL, Duration.ofSeconds(30))
        .withDriftCheckInterval(DRIFT_CHECK_INTERVAL)
        .withHealth("127.0.0.1", 0));
    agent.start();
  }

  private Agent<DesiredState> newAgent(AgentSettings settings) {
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    return new Agent<>(client, settings, TestDataplanes.iptables(
        new IncrementalNodeCompiler(NODE, DataplaneSettings.DEFAULTS)::compile, writer),
        Optional.empty(), meters, Ticker.systemTicker());
  }

  private KubernetesMockServer newServer(int port) {
    KubernetesMockServer mock = new KubernetesMockServer(new Context(), new MockWebServer(),
        new HashMap<>(), dispatcher, false);
    mock.init(InetAddress.getLoopbackAddress(), port);
    return mock;
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
    client.close();
    server.destroy();
  }

  @Test
  void becomesReadyAfterTheFirstSyncOfAnEmptyCluster() {
    await("first sync", agent::isReady);
  }

  @Test
  void theInformerCacheHoldsTrimmedCopiesOfWhatTheApiServerSends() {
    client.namespaces().resource(namespace("shop", "team", "blue")).create();
    Pod full = new KubernetesSerialization().unmarshal(
        getClass().getResourceAsStream("/dev/palisade/k8s/full-pod.yaml"), Pod.class);
    full.getMetadata().setResourceVersion(null);
    full.getMetadata().setFinalizers(List.of()); // nobody here would remove it: no deletion
    Pod created = client.pods().inNamespace("shop").resource(full).create();
    awaitEnforced(created);
    Pod relabelled = client.pods().inNamespace("shop").withName(full.getMetadata().getName())
        .edit(p -> new PodBuilder(p).editMetadata().addToLabels("app", "shop").endMetadata()
            .build());
    awaitEnforced(relabelled);

    assertThat(agent.cached("Pod")).as("the cache after an add and an update")
        .containsExactly(new TrimmedObjects().pod(relabelled));
    Pod cached = (Pod) agent.cached("Pod").get(0);
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(cached.getSpec().getVolumes()).isNullOrEmpty();
    assertThat(cached.getSpec().getContainers().get(0).getEnv()).isNullOrEmpty();
    assertThat(cached.getStatus().getConditions()).isNullOrEmpty();

    client.pods().inNamespace("shop").withName(full.getMetadata().getName()).delete();
    await("the deleted pod left the cache", () -> agent.cached("Pod").isEmpty());
  }

  @Test
  void createUpdateAndDeleteOfAllThreeKindsReachTheKernel() {
    enforceWebFromDb();
    assertThat(setsHolding("10.0.2.10")).as("the peer set holds db's address").isNotEmpty();

    Pod relabelled = client.pods().inNamespace("x").withName("db")
        .edit(p -> new PodBuilder(p).editMetadata().withLabels(Map.of("app", "cache"))
            .endMetadata().build());
    awaitEnforced(relabelled);
    assertThat(setsHolding("10.0.2.10")).as("db left the peer set").isEmpty();

    client.network().v1().networkPolicies().inNamespace("x").withName("web-from-db").delete();
    await("no set holds a pod any more", () -> snapshot().sets().values().stream()
        .allMatch(set -> set.members().isEmpty()));
  }

  @Test
  void aNewPodReusingACompletedPodsAddressIsJudgedByItsOwnLabels() {
    client.namespaces().resource(namespace("x")).create();
    client.pods().inNamespace("x").resource(pod("web", NODE, "10.0.1.10", "app", "web"))
        .create();
    // the pod and policy watches deliver independently: the job must be in before the check
    Pod job = client.pods().inNamespace("x")
        .resource(pod("job", "node-2", "10.0.2.20", "app", "db")).create();
    NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace("x")
        .resource(allowFrom("web-from-db", "app", "web", "app", "db")).create();
    awaitEnforced(job);
    awaitEnforced(policy);
    assertThat(setsHolding("10.0.2.20")).isNotEmpty();

    Pod completed = client.pods().inNamespace("x").withName("job").editStatus(p ->
        new PodBuilder(p).editStatus().withPhase("Succeeded").endStatus().build());
    awaitEnforced(completed);
    assertThat(setsHolding("10.0.2.20")).as("a completed pod is no endpoint").isEmpty();

    Pod reuser = client.pods().inNamespace("x")
        .resource(pod("other", "node-2", "10.0.2.20", "app", "other")).create();
    awaitEnforced(reuser);
    assertThat(setsHolding("10.0.2.20")).as("the new owner is not a db").isEmpty();
  }

  @Test
  void aBurstOfPolicyUpdatesIsCoalescedIntoFewSyncs() throws Exception {
    client.namespaces().resource(namespace("x")).create();
    client.pods().inNamespace("x").resource(pod("web", NODE, "10.0.1.10", "app", "web"))
        .create();
    await("first sync", agent::isReady);
    double syncsBefore = syncCount();
    long started = System.nanoTime();
    int writers = 10;
    int updatesPerWriter = 100;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<NetworkPolicy>> lastWrites = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String name = "burst-" + w;
      lastWrites.add(pool.submit(() -> {
        NetworkPolicy written = null;
        for (int i = 0; i < updatesPerWriter; i++) {
          written = client.network().v1().networkPolicies().inNamespace("x")
              .resource(allowFrom(name, "app", "web", "app", "v" + i))
              .createOr(existing -> existing.update());
        }
        return written;
      }));
    }
    for (Future<NetworkPolicy> last : lastWrites) {
      awaitEnforced(last.get());
    }
    pool.shutdown();
    double syncs = syncCount() - syncsBefore;
    double elapsedIntervals = (double) (System.nanoTime() - started)
        / MIN_SYNC_INTERVAL.toNanos();
    // The mock server takes tens of seconds for 1000 writes; however long the burst lasts,
    // there is at most one sync per minimum interval (plus the one that closes the burst).
    assertThat(syncs).as("%s updates in %.1f intervals became %s syncs",
        writers * updatesPerWriter, elapsedIntervals, syncs)
        .isLessThanOrEqualTo(Math.ceil(elapsedIntervals) + 2)
        .isLessThan(writers * updatesPerWriter / 10.0);
  }

  @Test
  void keepsTheKernelWhileTheApiServerIsDownAndReconvergesAfter() throws Exception {
    enforceWebFromDb();
    KernelSnapshot before = snapshot();
    int port = server.getPort();

    server.shutdown();
    await("the agent sees its watches down and stops syncing",
        () -> meters.get("palisade.model.complete").gauge().value() == 0);
    Thread.sleep(500);
    assertThat(snapshot()).as("nothing is flushed while the API is away").isEqualTo(before);

    server = newServer(port);
    client.pods().inNamespace("x").resource(pod("db2", "node-2", "10.0.2.11", "app", "db"))
        .create();
    await("the new db pod reaches the peer set after reconnecting",
        () -> !setsHolding("10.0.2.11").isEmpty());
    assertThat(setsHolding("10.0.2.10")).isNotEmpty();
  }

  @Test
  void startsWhileTheApiServerIsUnreachableAndSyncsOnceItAnswers() throws Exception {
    client.namespaces().resource(namespace("x")).create();
    awaitEnforced(client.pods().inNamespace("x")
        .resource(pod("web", NODE, "10.0.1.10", "app", "web")).create());
    agent.close();
    KernelSnapshot before = snapshot();
    int port = server.getPort();
    server.shutdown();

    agent = newAgent(AgentSettings.defaults(NODE).withHealth("127.0.0.1", 0));
    agent.start();
    await("the failing list is counted", () -> meters.find("palisade.api.errors")
        .counters().stream().mapToDouble(counter -> counter.count()).sum() > 0);
    Thread.sleep(1000);
    assertThat(agent.isReady()).as("ready without the API server").isFalse();
    assertThat(snapshot()).as("the kernel keeps what it had").isEqualTo(before);

    server = newServer(port);
    await("ready once the API server answers", agent::isReady);
    assertThat(setsHolding("10.0.1.10")).isEmpty();
  }

  @Test
  void repairsDriftAndCountsItButNotItsOwnChanges() {
    enforceWebFromDb();
    assertThat(driftRepairs()).as("writes for a new policy are no drift").isZero();

    String peerSet = setsHolding("10.0.2.10").get(0);
    assertThat(kernel.run(List.of("ipset", "restore"), "del " + peerSet + " 10.0.2.10\n")
        .succeeded()).isTrue();
    // an event that changes nothing the node enforces: its sync trusts what the agent last
    // wrote and writes nothing; the next drift check reads the kernel and repairs
    client.namespaces().resource(namespace("unrelated")).create();

    await("the removed member is back", () -> !setsHolding("10.0.2.10").isEmpty());
    await("the repair is counted as drift", () -> driftRepairs() == 1);
  }

  @Test
  void namesAForeignRuleThatHoldsOneOfItsChainsInAnEventOnTheNode() {
    enforceWebFromDb();
    String policyChain = StableNames.DEFAULT.policyChain(Direction.INGRESS,
        ObjectRef.of("x", "web-from-db")).preferred();
    assertThat(snapshot().table(IpFamily.V4).chains()).containsKey(policyChain);
    assertThat(kernel.run(List.of("iptables-restore", "--noflush"), "*filter\n"
        + ":ADMIN-CHECKS - [0:0]\n-A ADMIN-CHECKS -j " + policyChain + "\nCOMMIT\n")
        .succeeded()).isTrue();

    client.network().v1().networkPolicies().inNamespace("x").withName("web-from-db").delete();

    await("an Event on the Node names the foreign rule", () -> !leftoverEvents().isEmpty());
    assertThat(leftoverEvents()).singleElement().satisfies(event -> {
      assertThat(event.getType()).isEqualTo("Warning");
      assertThat(event.getMessage()).contains(policyChain).contains("-A ADMIN-CHECKS");
      assertThat(event.getInvolvedObject().getKind()).isEqualTo("Node");
      assertThat(event.getInvolvedObject().getName()).isEqualTo(NODE);
      assertThat(event.getReportingInstance()).isEqualTo(NODE);
    });
  }

  private List<Event> leftoverEvents() {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(event -> "PalisadeLeftover".equals(event.getReason()))
        .toList();
  }

  private double driftRepairs() {
    return meters.get("palisade.drift.repairs").counter().count();
  }

  /** x/web on this node may be reached from x/db on node-2; waits until that is enforced. */
  private void enforceWebFromDb() {
    Namespace x = client.namespaces().resource(namespace("x")).create();
    Pod web = client.pods().inNamespace("x")
        .resource(pod("web", NODE, "10.0.1.10", "app", "web")).create();
    Pod db = client.pods().inNamespace("x")
        .resource(pod("db", "node-2", "10.0.2.10", "app", "db")).create();
    NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace("x")
        .resource(allowFrom("web-from-db", "app", "web", "app", "db")).create();
    // the watches of each kind deliver independently: each must be in before a check
    awaitEnforced(x);
    awaitEnforced(web);
    awaitEnforced(db);
    awaitEnforced(policy);
  }

  private KernelSnapshot snapshot() {
    try {
      return writer.read();
    } catch (KernelCommandException e) {
      throw new AssertionError("the fake kernel failed to answer", e);
    }
  }

  @Test
  void removesItsRulesWhenItsDaemonSetIsDeletedAndKeepsThemOtherwise() throws Exception {
    client.namespaces().resource(namespace("x")).create();
    client.pods().inNamespace("x").resource(pod("web", NODE, "10.0.1.10", "app", "web"))
        .create();
    awaitEnforced(client.network().v1().networkPolicies().inNamespace("x")
        .resource(allowFrom("web-from-db", "app", "web", "app", "db")).create());
    client.apps().daemonSets().inNamespace("x").resource(new DaemonSetBuilder()
        .withNewMetadata().withName("palisade-agent").withNamespace("x").endMetadata()
        .build()).create();
    Pod self = client.pods().inNamespace("x").resource(new PodBuilder(
        pod("palisade-agent-1", NODE, "192.0.2.1"))
        .editMetadata().addNewOwnerReference().withKind("DaemonSet")
        .withName("palisade-agent").withApiVersion("apps/v1").withUid("u1").endOwnerReference()
        .endMetadata().editSpec().withHostNetwork(true).endSpec().build()).create();
    agent.close();
    assertThat(snapshot().isClean()).as("a plain stop keeps the rules").isFalse();

    agent = newAgent(AgentSettings.defaults(NODE).withHealth("127.0.0.1", 0)
        .withSelfPod(ObjectRef.of("x", self.getMetadata().getName())));
    agent.start();
    client.apps().daemonSets().inNamespace("x").withName("palisade-agent").delete();
    Thread.sleep(1000);
    agent.close();
    assertThat(snapshot().isClean()).as("uninstall removed everything").isTrue();
  }

  @Test
  void reportsWhatItEnforcesInALeaseOwnedByItsPod() throws Exception {
    Pod self = client.pods().inNamespace("palisade-system").resource(new PodBuilder(
        pod("palisade-agent-2", NODE, "192.0.2.1")).editSpec().withHostNetwork(true).endSpec()
        .build()).create();
    agent.close();
    agent = newAgent(AgentSettings.defaults(NODE).withHealth("127.0.0.1", 0)
        .withSelfPod(ObjectRef.of("palisade-system", self.getMetadata().getName())));
    agent.start();
    client.namespaces().resource(namespace("x")).create();
    NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace("x")
        .resource(allowFrom("web-from-db", "app", "web", "app", "db")).create();
    long version = Long.parseLong(policy.getMetadata().getResourceVersion());

    await("a report of NetworkPolicy version " + version, () -> report()
        .map(lease -> lease.enforcedVersions().getOrDefault("NetworkPolicy", -1L) >= version)
        .orElse(false));
    assertThat(report()).hasValueSatisfying(lease -> assertThat(lease.current()).isTrue());
    assertThat(client.leases().inNamespace("palisade-system").withName(AgentLease.name(NODE))
        .get().getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(self.getMetadata().getUid()));
  }

  private Optional<AgentReport> report() {
    Lease lease = client.leases().inNamespace("palisade-system").withName(AgentLease.name(NODE))
        .get();
    return lease == null ? Optional.empty() : AgentLease.read(lease, Instant.now());
  }

  private double syncCount() {
    return meters.get("palisade.sync.duration").timer().count();
  }

  private List<String> setsHolding(String member) {
    return snapshot().sets().values().stream()
        .filter(set -> set.members().contains(member))
        .map(KernelSet::name)
        .toList();
  }

  private void awaitEnforced(HasMetadata written) {
    long version = Long.parseLong(written.getMetadata().getResourceVersion());
    await(written.getKind() + " version " + version + " enforced",
        () -> agent.enforcedVersions().getOrDefault(written.getKind(), -1L) >= version);
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  private static io.fabric8.kubernetes.api.model.Namespace namespace(String name,
      String... labels) {
    return new NamespaceBuilder().withNewMetadata().withName(name)
        .withLabels(pairs(labels)).endMetadata().build();
  }

  private static Pod pod(String name, String node, String ip, String... labels) {
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace("x").withLabels(pairs(labels))
        .endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("serve")
        .addNewPort().withName("http").withContainerPort(80).withProtocol("TCP").endPort()
        .endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip)
        .endPodIP().endStatus()
        .build();
  }

  private static NetworkPolicy allowFrom(String name, String targetKey, String targetValue,
      String peerKey, String peerValue) {
    return new NetworkPolicyBuilder()
        .withNewMetadata().withName(name).withNamespace("x").endMetadata()
        .withNewSpec()
        .withPodSelector(new LabelSelectorBuilder().addToMatchLabels(targetKey, targetValue)
            .build())
        .addNewIngress().addNewFrom()
        .withPodSelector(new LabelSelectorBuilder().addToMatchLabels(peerKey, peerValue).build())
        .endFrom().endIngress()
        .endSpec().build();
  }

  private static Map<String, String> pairs(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }
}
