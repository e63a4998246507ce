package dev.palisade.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.ObjectRef;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ScenarioRunnerTest {
  private static final ObjectRef XA = ObjectRef.of("x", "a");
  private static final ObjectRef XB = ObjectRef.of("x", "b");
  private static final ObjectRef XC = ObjectRef.of("x", "c");

  /**
   * x/a serves web=80/TCP, x/b serves web=8080/TCP and 53/UDP, x/c serves nothing and has an
   * IPv6 address too; a policy lets only pod=a into x/b.
   */
  private static final String OBJECTS = """
      objects:
        - {apiVersion: v1, kind: Namespace, metadata: {name: x}}
        - apiVersion: v1
          kind: Pod
          metadata: {name: a, namespace: x, labels: {pod: a}}
          spec: {containers: [{name: c, ports: [{name: web, containerPort: 80}]}]}
          status: {podIPs: [{ip: 10.0.0.1}, {ip: 'fd00::1'}]}
        - apiVersion: v1
          kind: Pod
          metadata: {name: b, namespace: x, labels: {pod: b}}
          spec:
            containers:
              - name: c
                ports:
                  - {name: web, containerPort: 8080}
                  - {containerPort: 53, protocol: UDP}
        - apiVersion: v1
          kind: Pod
          metadata: {name: c, namespace: x, labels: {pod: c}}
          spec: {}
          status: {podIPs: [{ip: 10.0.0.3}, {ip: 'fd00::3'}]}
        - apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: only-a, namespace: x}
          spec:
            podSelector: {matchLabels: {pod: b}}
            ingress: [{from: [{podSelector: {matchLabels: {pod: a}}}]}]
      """;

  private static ScenarioResult run(String steps) {
    Scenario scenario = new ScenarioParser().parse("name: t\n" + OBJECTS + steps, "t.yaml");
    return new ScenarioRunner().run(scenario);
  }

  private static Matrix onlyMatrix(ScenarioResult result) {
    return result.steps().get(0).probes().get(0).observed();
  }

  @Test
  void aNamedProbePortResolvesPerDestinationAndUnservedPortsAreDenied() {
    Matrix matrix = onlyMatrix(run("""
        steps: [{name: s, probes: [{port: web}]}]
        """));
    assertThat(matrix.pods()).containsExactly(XA, XB, XC);
    assertThat(matrix.get(XA, XB)).contains(Reachability.ALLOWED);
    assertThat(matrix.get(XC, XB)).contains(Reachability.DENIED);
    assertThat(matrix.get(XC, XA)).contains(Reachability.ALLOWED);
    assertThat(matrix.get(XA, XA)).contains(Reachability.ALLOWED);
    assertThat(matrix.get(XA, XC)).contains(Reachability.DENIED);
  }

  @Test
  void aNumberedProbeNeedsTheDestinationToServeIt() {
    Matrix matrix = onlyMatrix(run("""
        steps: [{name: s, probes: [{port: 80}]}]
        """));
    assertThat(matrix.get(XC, XA)).contains(Reachability.ALLOWED);
    assertThat(matrix.get(XA, XB)).contains(Reachability.DENIED);
  }

  @Test
  void icmpNeedsNoServedPort() {
    Matrix matrix = onlyMatrix(run("""
        steps: [{name: s, probes: [{protocol: ICMP}]}]
        """));
    assertThat(matrix.get(XA, XC)).contains(Reachability.ALLOWED);
    assertThat(matrix.get(XA, XB)).contains(Reachability.ALLOWED);
    assertThat(matrix.get(XC, XB)).contains(Reachability.DENIED);
  }

  @Test
  void anIpv6ProbeLeavesOutPodsWithoutAnIpv6Address() {
    Matrix matrix = onlyMatrix(run("""
        steps: [{name: s, probes: [{protocol: ICMP, family: 6}]}]
        """));
    assertThat(matrix.pods()).containsExactly(XA, XC);
  }

  @Test
  void reportsEveryMismatchedCell() {
    ScenarioResult result = run("""
        steps:
          - name: s
            probes:
              - port: web
                expect: |
                  x/a x/b
                  x/a ?   X
                  x/c .   .
        """);
    assertThat(result.passed()).isFalse();
    assertThat(result.failedProbeCount()).isEqualTo(1);
    assertThat(result.steps().get(0).probes().get(0).mismatches()).containsExactly(
        new Mismatch(XA, XB, Reachability.DENIED, Reachability.ALLOWED),
        new Mismatch(XC, XB, Reachability.ALLOWED, Reachability.DENIED));
  }

  @Test
  void stepsApplyLabelChangesAndDeletionsInOrder() {
    ScenarioResult result = run("""
        steps:
          - name: c becomes a
            apply:
              - apiVersion: v1
                kind: Pod
                metadata: {name: c, namespace: x, labels: {pod: a}}
            probes: [{protocol: ICMP, expect: "x/b\\nx/c .\\n"}]
          - name: policy deleted
            delete: [{kind: NetworkPolicy, namespace: x, name: only-a}]
            apply:
              - apiVersion: v1
                kind: Pod
                metadata: {name: c, namespace: x, labels: {pod: c}}
            probes: [{protocol: ICMP, expect: "x/b\\nx/c .\\n"}]
        """);
    assertThat(result.passed()).isTrue();
    assertThat(result.probeCount()).isEqualTo(2);
  }

  @Test
  void deletingWhatDoesNotExistIsAnError() {
    assertThatThrownBy(() -> run("""
        steps: [{name: s, delete: [{kind: NetworkPolicy, namespace: x, name: nope}]}]
        """))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("t.yaml: steps[0].delete[0]: NetworkPolicy x/nope does not exist at this "
            + "step");
  }

  @Test
  void aTableThatChecksANonEndpointIsAnError() {
    assertThatThrownBy(() -> run("""
        steps: [{name: s, probes: [{port: 80, family: 6, expect: "x/b\\nx/a .\\n"}]}]
        """))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("t.yaml: steps[0].probes[0].expect: x/b is checked but is not "
            + "an endpoint with an IPv6 address at this step");
  }

  /** A real API server's refusal reaches the user with the step that wrote the object. */
  @Test
  void anObjectTheBackendRefusesIsLocatedInItsStep() {
    ScenarioBackend refusingAtSecondStep = new ScenarioBackend() {
      private int converged;

      @Override
      public String mode() {
        return "demo";
      }

      @Override
      public OptionalLong converge(ClusterState cluster) {
        if (++converged == 2) {
          throw InvalidInputException.inObject("NetworkPolicy x/p", null,
              "the API server refused it: bad");
        }
        return OptionalLong.empty();
      }

      @Override
      public Matrix observe(ClusterState cluster, Probe probe) {
        return ScenarioBackend.EVALUATOR.observe(cluster, probe);
      }
    };
    Scenario scenario = new ScenarioParser().parse("name: t\n" + OBJECTS + """
        steps: [{name: first}, {name: second}]
        """, "t.yaml");
    assertThatThrownBy(() -> new ScenarioRunner(refusingAtSecondStep).run(scenario))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("t.yaml, step 2 'second': NetworkPolicy x/p: the API server refused it: bad");
  }
}
