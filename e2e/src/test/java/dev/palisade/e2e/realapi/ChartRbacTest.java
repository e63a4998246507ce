package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.controller.PalisadeController;
import dev.palisade.dataplane.compile.StableNames;
import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.demo.AgentProcess;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's RBAC on a real API server, with the components running on the tokens of the
 * chart's own ServiceAccounts (never admin): the agent as a process of the shipped jar
 * programming a network namespace, the controller in this JVM.
 *
 * <p>Sufficient: both do their job (the agent becomes ready and names a foreign rule that holds
 * one of its chains in an Event on its Node and reports what it enforces in its Lease; the
 * controller leads, renews its Lease, publishes, refreshes and resolves a lint Event, and
 * announces from the agent's report that a policy is enforced on every node) and the API server's audit log shows no
 * request of theirs refused. Exact: the audit log holds exactly the requests of {@link
 * ChartRequests}, and {@link ReleaseCheck} finds each of them allowed and each grant used by one.
 * Minimal: with any one grant removed the authorizer denies exactly the requests it allowed;
 * the two grants no request uses (Lease create and update) are what JOSDK's start check demands,
 * and without either the controller does not start. The tests run in order on one control
 * plane: the later ones read what the first one's components asked for.
 */
@Tag("control-plane")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartRbacTest {
  private static final String NAMESPACE = "palisade-system";
  private static final String WORKLOADS = "shop";
  private static final String NODE = "node-1";
  /** How often fabric8 renews a held Lease (JOSDK's default retry period). */
  private static final Duration RENEW_PERIOD = Duration.ofSeconds(2);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static ControlPlane plane;
  private static HelmRelease release;
  private static NetnsCluster netns;
  private static String agentPod;
  private static ReleaseCheck check;

  @BeforeAll
  static void installTheChartOnANode() {
    plane = ControlPlane.start(true);
    plane.createNamespace(NAMESPACE, Map.of("pod-security.kubernetes.io/enforce", "privileged"));
    plane.createNamespace(WORKLOADS, Map.of());
    release = new HelmRelease(plane, "palisade", NAMESPACE);
    release.install(Map.of()).assertSucceeded();
    plane.createNode(NODE, "10.244.1.0/24");
    // The DaemonSet controller creates the agent's pod; an agent finds its DaemonSet from it.
    Await.until("the DaemonSet's pod", TIMEOUT, () -> !plane.admin().pods().inNamespace(NAMESPACE)
        .withLabel("app.kubernetes.io/component", "agent").list().getItems().isEmpty());
    agentPod = plane.admin().pods().inNamespace(NAMESPACE)
        .withLabel("app.kubernetes.io/component", "agent").list().getItems().get(0)
        .getMetadata().getName();
    check = new ReleaseCheck(plane.admin(), NAMESPACE, release.name());
  }

  @AfterAll
  static void stop() {
    try {
      if (netns != null) {
        netns.close();
      }
    } finally {
      if (plane != null) {
        plane.close();
      }
    }
  }

  @Test
  @Order(1)
  void theComponentsDoTheirJobWithTheChartsGrants(@TempDir Path logs) {
    netns = NetnsCluster.start("palrbac", 1);
    // fail-closed: the agent also reads its Node, the one request only that setting makes.
    try (AgentProcess agent = AgentProcess.start(System.getProperty("palisade.jar"), NODE,
            netns.nodeNamespace(1), plane.kubeconfigFor(NAMESPACE, release.agentServiceAccount()),
            logs.resolve("agent.log"), List.of("--fail-closed=true", "--pod-name=" + agentPod,
                "--pod-namespace=" + NAMESPACE));
        KubernetesClient controllerClient = plane.clientFor(NAMESPACE,
            release.controllerServiceAccount());
        // A refresh interval of 2 s makes the controller update its standing Event soon.
        PalisadeController controller = release.controller(controllerClient, "rbac-test",
            Duration.ofSeconds(2))) {
      controller.start();

      Await.until("the controller leads", TIMEOUT, controller::isLeading);
      assertRenewsItsLease("rbac-test");
      publishesRefreshesAndResolvesALintEvent();
      Await.until("the agent is ready", TIMEOUT, () -> agent.status()
          .map(status -> status.path("ready").asBoolean()).orElse(false),
          () -> "; its log:\n" + logOf(agent));
      assertThat(logOf(agent)).contains("watching my DaemonSet " + NAMESPACE + "/"
          + release.name() + "-agent");
      // The agent reports in its Lease, the controller reads the reports: realization status.
      Await.until("a PolicyEnforced Event: shop/web is enforced on 1 of 1 nodes", TIMEOUT,
          () -> eventsOfPolicy("PolicyEnforced").anyMatch(event -> event.getMessage()
              .startsWith("Enforced on every node: 1 of 1")),
          () -> "; the agent's log:\n" + logOf(agent));
      reportsAForeignRuleHoldingItsChainOnTheNode(agent);
    }
  }

  @Test
  @Order(2)
  void theComponentsMakeTheChartsRequestsWhichItsRolesAllowAndNoOthers() {
    Map<String, List<ChartRequests.Request>> expected = Map.of(
        release.agentServiceAccount(), ChartRequests.agent(release.name()),
        release.controllerServiceAccount(), ChartRequests.controller(release.name()));
    expected.forEach((serviceAccount, requests) -> {
      Set<AuditLog.Request> audited = AuditLog.requestsOf(plane, NAMESPACE, serviceAccount);
      assertThat(audited).as("requests of %s", serviceAccount)
          .allSatisfy(request -> assertThat(request.code()).as(request.toString())
              .isNotIn(401, 403))
          .allSatisfy(request -> assertThat(requests)
              .as("%s is one of %s's requests", request, serviceAccount)
              .anyMatch(known -> known.matches(request, NAMESPACE)));
      assertThat(requests).allSatisfy(known -> assertThat(audited)
          .as("%s made %s", serviceAccount, known)
          .anyMatch(request -> known.matches(request, NAMESPACE)));
    });
    assertThat(check.problems()).isEmpty();
  }

  @Test
  @Order(3)
  void withoutAnyOneGrantARequestOfTheComponentIsDenied() {
    for (ChartRole role : ChartRole.of(plane.admin(), NAMESPACE, release.name())) {
      List<PolicyRule> granted = role.rules();
      for (RbacGrant removed : RbacGrant.of(granted)) {
        List<String> denied = ChartRequests.allowedTo(release.name()).get(role.serviceAccount())
            .stream()
            .filter(request -> role.allows(removed, request.in(NAMESPACE)))
            .map(request -> role.serviceAccount() + " may not " + request)
            .toList();
        assertThat(denied).as("requests %s allows", removed).isNotEmpty();
        List<RbacGrant> rest = new ArrayList<>(RbacGrant.of(granted));
        rest.remove(removed);
        role.replaceRules(RbacGrant.rules(rest));
        try {
          Await.until(role + " without " + removed + " denies " + denied, TIMEOUT,
              () -> check.problems().equals(denied), () -> "; the check says " + check.problems());
        } finally {
          role.replaceRules(granted);
        }
        Await.until(role + " restored", TIMEOUT, () -> check.problems().isEmpty());
      }
    }
  }

  @Test
  @Order(4)
  void withoutLeaseCreateOrUpdateTheControllerDoesNotStart() {
    ChartRole leaseRole = new ChartRole(plane.admin(), NAMESPACE,
        release.controllerServiceAccount(), false);
    List<PolicyRule> granted = leaseRole.rules();
    for (String verb : List.of("create", "update")) {
      leaseRole.replaceRules(RbacGrant.rules(RbacGrant.of(granted).stream()
          .filter(grant -> !grant.verb().equals(verb)).toList()));
      try (KubernetesClient client = plane.clientFor(NAMESPACE,
              release.controllerServiceAccount());
          PalisadeController controller = release.controller(client, "without-" + verb,
              Duration.ofSeconds(2))) {
        assertThatThrownBy(controller::start).as("start without %s on leases", verb)
            .hasStackTraceContaining("missing required verbs: [" + verb + "]");
      } finally {
        leaseRole.replaceRules(granted);
      }
    }
  }

  /** Over more than two renew periods the holder stays and the renew time moves on twice. */
  private static void assertRenewsItsLease(String identity) {
    Set<ZonedDateTime> renewTimes = new HashSet<>();
    Await.until("two renewals of the Lease by " + identity, RENEW_PERIOD.multipliedBy(5), () -> {
      Lease lease = plane.admin().leases().inNamespace(NAMESPACE).withName(release.leaseName())
          .get();
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(identity);
      renewTimes.add(lease.getSpec().getRenewTime());
      return renewTimes.size() >= 3;
    });
  }

  /**
   * A policy that selects no pod is a PAL001 finding: its Event is created, refreshed
   * (updated), and once a pod matches, deleted with a PAL001Resolved notice in its place.
   */
  private static void publishesRefreshesAndResolvesALintEvent() {
    KubernetesClient admin = plane.admin();
    admin.network().v1().networkPolicies().inNamespace(WORKLOADS).resource(
        new NetworkPolicyBuilder().withNewMetadata().withName("web").endMetadata()
            .withNewSpec().withNewPodSelector().addToMatchLabels("app", "web").endPodSelector()
            .withPolicyTypes("Ingress").endSpec().build()).create();
    Await.until("a PAL001 Event refreshed at least once", TIMEOUT,
        () -> eventsOfPolicy("PAL001").anyMatch(event -> event.getCount() != null
            && event.getCount() >= 2));

    admin.pods().inNamespace(WORKLOADS).resource(new PodBuilder().withNewMetadata()
        .withName("web").addToLabels("app", "web").endMetadata().withNewSpec()
        .withNodeName(NODE).addNewContainer().withName("web").withImage("web").endContainer()
        .endSpec().build()).create();
    admin.pods().inNamespace(WORKLOADS).withName("web").editStatus(pod -> new PodBuilder(pod)
        .editOrNewStatus().withPhase("Running").withPodIP("10.244.1.10")
        .withPodIPs(new PodIP("10.244.1.10")).endStatus().build());
    Await.until("the PAL001 Event replaced by PAL001Resolved", TIMEOUT,
        () -> eventsOfPolicy("PAL001").findAny().isEmpty()
            && eventsOfPolicy("PAL001Resolved").findAny().isPresent());
  }

  /**
   * A foreign chain jumps into the pod chain of shop/web, then the policy that isolates web is
   * deleted: the agent has to leave that chain in the kernel, and says so on its Node.
   */
  private static void reportsAForeignRuleHoldingItsChainOnTheNode(AgentProcess agent) {
    String nodeNamespace = netns.nodeNamespace(1);
    String podChain = StableNames.DEFAULT.podChain(Direction.INGRESS,
        ObjectRef.of(WORKLOADS, "web")).preferred();
    Await.until("the agent programs " + podChain, TIMEOUT, () -> netns.inNamespace(nodeNamespace,
        "iptables-save", "-t", "filter").contains(":" + podChain + " "),
        () -> "; the agent's log:\n" + logOf(agent));
    netns.inNamespace(nodeNamespace, "iptables", "-N", "ADMIN-CHECKS");
    try {
      netns.inNamespace(nodeNamespace, "iptables", "-A", "ADMIN-CHECKS", "-j", podChain);
      plane.admin().network().v1().networkPolicies().inNamespace(WORKLOADS).withName("web")
          .delete();
      Await.until("a PalisadeLeftover Event on " + NODE + " names ADMIN-CHECKS", TIMEOUT,
          () -> plane.admin().v1().events().inNamespace("default").list().getItems().stream()
              .anyMatch(event -> "Node".equals(event.getInvolvedObject().getKind())
                  && NODE.equals(event.getInvolvedObject().getName())
                  && "PalisadeLeftover".equals(event.getReason())
                  && event.getMessage().contains("-A ADMIN-CHECKS -j " + podChain)),
          () -> "; the agent's log:\n" + logOf(agent));
    } finally {
      netns.inNamespace(nodeNamespace, "iptables", "-F", "ADMIN-CHECKS");
      netns.inNamespace(nodeNamespace, "iptables", "-X", "ADMIN-CHECKS");
    }
  }

  private static Stream<Event> eventsOfPolicy(String reason) {
    return plane.admin().v1().events().inNamespace(WORKLOADS).list().getItems().stream()
        .filter(event -> "web".equals(event.getInvolvedObject().getName())
            && "NetworkPolicy".equals(event.getInvolvedObject().getKind())
            && reason.equals(event.getReason()));
  }

  private static String logOf(AgentProcess agent) {
    try {
      return Files.readString(agent.log());
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
