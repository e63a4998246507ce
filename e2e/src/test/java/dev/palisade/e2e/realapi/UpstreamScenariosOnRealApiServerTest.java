package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.k8s.ClusterOptions;
import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.ExternalApiServer;
import dev.palisade.e2e.DataplaneAgreement;
import dev.palisade.e2e.E2eCluster;
import dev.palisade.e2e.UpstreamScenariosTest;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioRunner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The e2e cluster on a real kube-apiserver (with kube-controller-manager, without kubelets),
 * exactly as {@code palisade demo --kubeconfig FILE} builds it: the upstream conformance suite
 * conforms and agrees with the evaluator as it does on the embedded mock server
 * ({@code RealDataplaneConformanceTest}); the demo refuses objects it did not create, reports what
 * the API server refuses with the step that wrote it, and leaves nothing of its own behind, and
 * nothing of anyone else's changed.
 */
@Tag("kernel")
@Tag("control-plane")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamScenariosOnRealApiServerTest {
  /** Network namespaces of this class only: runs of other suites never sweep them. */
  private static final String LAB_PREFIX = "palrealapi";
  /** Someone else's namespace, which the demo must leave as it is. */
  private static final String BYSTANDER = "bystander";
  private static final List<String> DEMO_NAMESPACES = List.of("x", "y", "z", "palisade-barrier");
  private static final List<String> DEMO_NODES = List.of("node-1", "node-2");

  private static ControlPlane plane;
  private static Namespace bystanderBefore;
  private static DemoBackend cluster;

  @BeforeAll
  static void startCluster() {
    plane = ControlPlane.start(true);
    plane.createNamespace(BYSTANDER, Map.of("owner", "someone-else"));
    bystanderBefore = plane.admin().namespaces().withName(BYSTANDER).get();
    cluster = startDemo("real-api-server");
  }

  @AfterAll
  static void stop() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (plane != null) {
        plane.close();
      }
    }
  }

  private static DemoBackend startDemo(String name) {
    ClusterOptions connection = new ClusterOptions();
    connection.kubeconfig = plane.adminKubeconfig().toFile();
    return E2eCluster.start(name, E2eCluster.standardAgentOptions(),
        new ExternalApiServer(plane.adminKubeconfig(), connection::client), LAB_PREFIX);
  }

  static List<Path> scenarioFiles() {
    return UpstreamScenariosTest.scenarioFiles();
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarioFiles")
  void matchesTheExpectationsAndTheEvaluator(Path file) {
    DataplaneAgreement.assertConformsAndAgrees(file, new ScenarioRunner(cluster));
  }

  /**
   * A second demo on the same API server finds the first one's namespaces: it refuses to
   * start, and neither deletes nor changes them when it stops.
   */
  @Order(2)
  @Test
  void refusesNamespacesItDidNotCreateAndLeavesThemAlone() {
    Path file = scenarioFiles().get(0);
    HasMetadata x = plane.admin().namespaces().withName("x").get();
    try (DemoBackend second = startDemo("real-api-server-second")) {
      assertThatThrownBy(() -> new ScenarioRunner(second).run(new ScenarioParser().parse(file)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining(file + ", step 1")
          .hasMessageContaining("Namespace x: exists already in the API server of "
              + plane.adminKubeconfig() + ", and the demo did not create it");
    }
    assertThat(plane.admin().namespaces().withName("x").get().getMetadata()
        .getResourceVersion()).isEqualTo(x.getMetadata().getResourceVersion());
  }

  /**
   * An except outside its cidr: Palisade reads it (lint reports it as PAL005), the API server's
   * validation refuses it.
   */
  @Order(3)
  @Test
  void reportsAnObjectTheApiServerRefusesWithItsStepAndTheServersMessage() {
    String scenario = """
        name: refused by the API server
        objects:
          - apiVersion: v1
            kind: Namespace
            metadata: {name: x}
          - apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x, labels: {pod: a}}
            spec:
              containers:
                - {name: serve, ports: [{name: serve-80-tcp, containerPort: 80, protocol: TCP}]}
        steps:
          - name: only the pod
          - name: a policy with an except outside its cidr
            apply:
              - apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: outside, namespace: x}
                spec:
                  podSelector: {}
                  ingress:
                    - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]
        """;
    assertThatThrownBy(() -> new ScenarioRunner(cluster).run(
        new ScenarioParser().parse(scenario, "outside.yaml")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("outside.yaml, step 2 'a policy with an except outside its cidr': "
            + "NetworkPolicy x/outside: the API server of " + plane.adminKubeconfig()
            + " refused it: ")
        .hasMessageContaining("spec.ingress[0].from[0].ipBlock.except[0]");
  }

  /** Closing the demo deletes what it wrote (namespaces, nodes) and nothing else. */
  @Order(4)
  @Test
  void removesWhatItWroteAndNothingElse() {
    cluster.close();
    cluster = null;
    for (String namespace : DEMO_NAMESPACES) {
      assertThat(plane.admin().namespaces().withName(namespace).get()).as(namespace).isNull();
    }
    for (String node : DEMO_NODES) {
      assertThat(plane.admin().nodes().withName(node).get()).as(node).isNull();
    }
    assertThat(plane.admin().namespaces().withName(BYSTANDER).get().getMetadata())
        .isEqualTo(bystanderBefore.getMetadata());
  }
}
