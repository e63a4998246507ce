package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.controller.PalisadeController;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code helm install}, {@code upgrade} and {@code uninstall} of the chart on a real API server
 * with kube-controller-manager (so the DaemonSet and the Deployment get pods, which Pod Security
 * admission judges, and garbage collection runs): every object is admitted, an upgrade leaves the
 * leader's Lease alone, nothing of the release is left after uninstall, and a namespace that
 * enforces a stricter Pod Security level than the agent needs is refused up front.
 */
@Tag("control-plane")
class ChartLifecycleTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** What the chart labels every object with, and the pods of its DaemonSet and Deployment. */
  private static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

  private static ControlPlane plane;

  @BeforeAll
  static void start() {
    plane = ControlPlane.start(true);
    plane.createNode("node-1", "10.244.1.0/24");
  }

  @AfterAll
  static void stop() {
    if (plane != null) {
      plane.close();
    }
  }

  @Test
  void installsUpgradesWithoutDisturbingTheLeaderAndUninstallsWithoutLeftovers() {
    String namespace = "palisade-system";
    plane.createNamespace(namespace, Map.of("pod-security.kubernetes.io/enforce", "privileged"));
    HelmRelease release = new HelmRelease(plane, "palisade", namespace);

    release.install(Map.of()).assertSucceeded();
    assertThat(release.manifest()).isNotEmpty().allSatisfy(object ->
        assertThat(plane.admin().resource(object).get()).as(describe(object)).isNotNull());
    Await.until("Pod Security admits the agent's pod", TIMEOUT,
        () -> !pods(release, "agent").isEmpty());

    // Before any controller ran: the upgrade keeps the free Lease readable (epoch times).
    release.upgrade(Map.of("agent.denyAction", "REJECT")).assertSucceeded();
    assertThat(lease(release).getRenewTime().toInstant()).isEqualTo(Instant.EPOCH);

    try (KubernetesClient client = plane.clientFor(namespace, release.controllerServiceAccount());
        PalisadeController controller = release.controller(client, "leader",
            Duration.ofMinutes(30))) {
      controller.start();
      Await.until("the controller leads", TIMEOUT, controller::isLeading);
      LeaseSpec held = lease(release);

      release.upgrade(Map.of("agent.denyAction", "DROP")).assertSucceeded();
      Await.until("a renewal after the upgrade", TIMEOUT,
          () -> lease(release).getRenewTime().isAfter(held.getRenewTime()));
      LeaseSpec after = lease(release);
      assertThat(after.getHolderIdentity()).isEqualTo("leader");
      assertThat(after.getAcquireTime()).isEqualTo(held.getAcquireTime());
      assertThat(after.getLeaseTransitions()).isEqualTo(held.getLeaseTransitions());
      assertThat(controller.isLeading()).isTrue();

      // The controller keeps running through the uninstall, as its pods do for their grace
      // period: Helm removes its RBAC before the Lease, so it cannot create the Lease again.
      release.uninstall().assertSucceeded();
      Await.until("nothing of the release left", TIMEOUT, () -> leftovers(release).isEmpty());
      sleep(Duration.ofSeconds(6)); // three renew periods of the still running controller
      assertThat(leftovers(release)).isEmpty();
      assertThat(plane.admin().leases().inNamespace(namespace).list().getItems()).isEmpty();
    }
  }

  @Test
  void refusesANamespaceThatEnforcesBaseline() {
    String namespace = "strict";
    plane.createNamespace(namespace, Map.of("pod-security.kubernetes.io/enforce", "baseline"));
    HelmRelease release = new HelmRelease(plane, "palisade", namespace);

    HelmRelease.Outcome install = release.install(Map.of());

    assertThat(install.exitCode()).as(install.output()).isNotZero();
    assertThat(install.output()).contains("namespace \"strict\" enforces Pod Security level "
        + "\"baseline\"", "the Palisade agent needs \"privileged\"",
        "pod-security.kubernetes.io/enforce=privileged");
    assertThat(leftovers(release)).isEmpty();
  }

  private static LeaseSpec lease(HelmRelease release) {
    return plane.admin().leases().inNamespace(release.namespace()).withName(release.leaseName())
        .get().getSpec();
  }

  private static List<? extends HasMetadata> pods(HelmRelease release, String component) {
    return plane.admin().pods().inNamespace(release.namespace())
        .withLabel(INSTANCE_LABEL, release.name())
        .withLabel("app.kubernetes.io/component", component).list().getItems();
  }

  /** Every object carrying the release's label, of every kind the release makes or causes. */
  private static List<String> leftovers(HelmRelease release) {
    KubernetesClient admin = plane.admin();
    String namespace = release.namespace();
    return Stream.of(
            admin.serviceAccounts().inNamespace(namespace),
            admin.configMaps().inNamespace(namespace),
            admin.rbac().roles().inNamespace(namespace),
            admin.rbac().roleBindings().inNamespace(namespace),
            admin.rbac().clusterRoles(),
            admin.rbac().clusterRoleBindings(),
            admin.apps().daemonSets().inNamespace(namespace),
            admin.apps().deployments().inNamespace(namespace),
            admin.apps().replicaSets().inNamespace(namespace),
            admin.pods().inNamespace(namespace),
            admin.leases().inNamespace(namespace))
        .flatMap(kind -> kind.withLabel(INSTANCE_LABEL, release.name()).list().getItems()
            .stream())
        .map(ChartLifecycleTest::describe)
        .toList();
  }

  private static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
