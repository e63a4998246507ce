package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.testing.Eventually;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two controller replicas, each a process of the shipped jar authenticating with the chart's
 * controller ServiceAccount, on a real API server: one leads (holds and renews the Lease) and
 * publishes a lint finding as an Event; both survive a 60 s API server outage without exiting
 * and the cluster gets a leader again; when the leader stops, the standby takes over.
 */
@Tag("control-plane")
class ControllerOnRealApiTest {
  private static final String SYSTEM = "palisade-system";
  private static final String LINTED = "linted";
  private static final Duration OUTAGE = Duration.ofSeconds(60);
  private static final Duration LEASE_TAKEOVER = Duration.ofSeconds(120);
  /**
   * Two replicas' four watches each (policies, pods, namespaces, the agents' report Leases), each
   * answered once as the API server starts.
   */
  private static final int MAX_ANSWERED_WATCH_RESTARTS = 8;

  private static ControlPlane plane;
  private static HelmRelease release;
  private static Path logs;

  @BeforeAll
  static void installChart() throws Exception {
    plane = ControlPlane.start(false);
    logs = Files.createTempDirectory("palisade-controller-logs-");
    plane.createNamespace(SYSTEM, Map.of("pod-security.kubernetes.io/enforce", "privileged"));
    release = new HelmRelease(plane, "palisade", SYSTEM);
    release.install(Map.of()).assertSucceeded();
    plane.createNamespace(LINTED, Map.of());
  }

  @AfterAll
  static void stop() {
    if (plane != null) {
      plane.close();
    }
  }

  @Test
  void leadsSurvivesAnOutageAndHandsOver() throws Exception {
    try (PalisadeProcess first = replica("replica-a");
        PalisadeProcess second = replica("replica-b")) {
      String firstLeader = awaitLeader(Optional.empty());
      awaitFinding(policySelectingNobody("nobody-1"));

      plane.stopProcesses();
      Thread.sleep(OUTAGE.toMillis());
      assertThat(List.of(first, second)).as("replicas alive at the end of the outage")
          .allMatch(PalisadeProcess::isAlive);
      plane.startProcesses();
      awaitLeader(Optional.empty());
      awaitFinding(policySelectingNobody("nobody-2"));

      String leader = currentHolder().orElseThrow();
      PalisadeProcess leading = leader.equals("replica-a") ? first : second;
      leading.close();
      String successor = awaitLeader(Optional.of(leader));
      assertThat(successor).as("the standby took over from %s", firstLeader)
          .isNotEqualTo(leader);
      awaitFinding(policySelectingNobody("nobody-3"));
      assertThat(List.of(first, second)).filteredOn(replica -> replica != leading)
          .allMatch(PalisadeProcess::isAlive);
      String output = first.output() + second.output();
      assertThat(output).doesNotContain("internal error").doesNotContain("Exception in thread")
          .as("fabric8's per-retry and per-watch noise of an API server restart")
          .doesNotContain("Queued close did not succeed").doesNotContain("without progress");
      // A watch that reaches the API server while it starts may get its answer, e.g. 403
      // before the authorizer has synced: fabric8 logs that answer once and retries, and the
      // line stays, since the same line repeating is how an operator sees a real RBAC fault.
      // What must not come back is a line (and stack trace) per retry of every list and watch.
      assertThat(output.lines().filter(line -> line.contains("will retry")).toList())
          .as("fabric8's retry lines: only the API server's answers to restarted watches")
          .allMatch(line -> line.contains("AbstractWatchManager - Error received: Status("))
          .hasSizeLessThanOrEqualTo(MAX_ANSWERED_WATCH_RESTARTS);
    }
  }

  private static PalisadeProcess replica(String identity) {
    Path kubeconfig = plane.kubeconfigFor(SYSTEM, release.controllerServiceAccount());
    return PalisadeProcess.start(logs.resolve(identity + ".log"), Map.of("HOSTNAME", identity,
        "POD_NAMESPACE", SYSTEM), List.of("controller", "--kubeconfig", kubeconfig.toString(),
        "--lease-name", leaseName(), "--health-port", "0"));
  }

  /** The Lease the chart creates and lets the controller use, as its Deployment passes it. */
  private static String leaseName() {
    return release.name() + "-controller-leader";
  }

  /** Waits until someone other than {@code not} holds an unexpired Lease; returns who. */
  private static String awaitLeader(Optional<String> not) throws Exception {
    String[] holder = new String[1];
    Eventually.within(LEASE_TAKEOVER, () -> {
      Optional<String> current = currentHolder();
      assertThat(current).as("a leader").isPresent();
      assertThat(current).as("a leader other than %s", not).isNotEqualTo(not);
      holder[0] = current.orElseThrow();
    });
    return holder[0];
  }

  private static Optional<String> currentHolder() {
    Lease lease = plane.admin().leases().inNamespace(SYSTEM).withName(leaseName())
        .get();
    if (lease == null || lease.getSpec().getHolderIdentity() == null
        || lease.getSpec().getHolderIdentity().isEmpty()
        || lease.getSpec().getRenewTime() == null) {
      return Optional.empty();
    }
    boolean fresh = lease.getSpec().getRenewTime().toInstant()
        .plusSeconds(lease.getSpec().getLeaseDurationSeconds())
        .isAfter(java.time.Instant.now());
    return fresh ? Optional.of(lease.getSpec().getHolderIdentity()) : Optional.empty();
  }

  private static NetworkPolicy policySelectingNobody(String name) {
    return plane.admin().network().v1().networkPolicies().inNamespace(LINTED)
        .resource(new NetworkPolicyBuilder().withNewMetadata().withName(name).endMetadata()
            .withNewSpec().withPodSelector(new LabelSelectorBuilder()
                .addToMatchLabels("app", name).build())
            .withPolicyTypes("Ingress").endSpec().build()).create();
  }

  private static void awaitFinding(NetworkPolicy policy) throws Exception {
    Eventually.within(LEASE_TAKEOVER, () -> {
      List<Event> events = plane.admin().v1().events().inNamespace(LINTED).list().getItems()
          .stream().filter(event -> policy.getMetadata().getUid()
              .equals(event.getInvolvedObject().getUid())).toList();
      assertThat(events).extracting(Event::getReason).contains("PAL001");
    });
  }
}
