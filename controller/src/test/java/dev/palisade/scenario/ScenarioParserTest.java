package dev.palisade.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.ObjectKey;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Protocol;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioParserTest {
  private static final String SOURCE = "s.yaml";
  private final ScenarioParser parser = new ScenarioParser();

  private static final String VALID = """
      name: two pods
      objects:
        - {apiVersion: v1, kind: Namespace, metadata: {name: x}}
        - apiVersion: v1
          kind: Pod
          metadata: {name: a, namespace: x, labels: {pod: a}}
          spec: {nodeName: node-2, containers: [{name: c, ports: [{containerPort: 80}]}]}
      steps:
        - name: first
          probes:
            - port: 80
              expect: |2
                      x/a
                x/a   ?
            - {port: serve-80-udp, protocol: UDP, family: 6}
            - {protocol: ICMP}
        - name: second
          apply:
            - apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata: {name: deny, namespace: x}
              spec: {podSelector: {}}
          delete:
            - {kind: Pod, namespace: x, name: a}
            - {kind: Pod, name: b}
            - {kind: Namespace, name: z}
      """;

  @Test
  void readsEveryPartOfAScenario() {
    Scenario scenario = parser.parse(VALID, SOURCE);
    assertThat(scenario.name()).isEqualTo("two pods");
    assertThat(scenario.nodes()).isEqualTo(2);
    assertThat(scenario.objects()).extracting(manifest -> manifest.key().toString())
        .containsExactly("Namespace x", "Pod x/a");
    assertThat(scenario.objects().get(1).origin()).isEqualTo("s.yaml, objects[1]");
    Step first = scenario.steps().get(0);
    assertThat(first.name()).isEqualTo("first");
    assertThat(first.probes()).extracting(Probe::port).containsExactly(
        ProbePort.number(Protocol.TCP, 80), ProbePort.named(Protocol.UDP, "serve-80-udp"),
        ProbePort.icmp());
    assertThat(first.probes()).extracting(Probe::family)
        .containsExactly(IpFamily.V4, IpFamily.V6, IpFamily.V4);
    assertThat(first.probes().get(0).expect().orElseThrow().destinations())
        .containsExactly(ObjectRef.of("x", "a"));
    assertThat(first.probes().get(1).expect()).isEmpty();
    assertThat(first.probes().get(1).field().text()).isEqualTo("steps[0].probes[1]");
    Step second = scenario.steps().get(1);
    assertThat(second.apply()).extracting(manifest -> manifest.key().toString())
        .containsExactly("NetworkPolicy x/deny");
    assertThat(second.delete()).extracting(Deletion::key).containsExactly(
        new ObjectKey("Pod", "x", "a"), new ObjectKey("Pod", "default", "b"),
        new ObjectKey("Namespace", null, "z"));
    assertThat(scenario.probeCount()).isEqualTo(3);
  }

  @Test
  void takesTheNodeCountFromTheFile() {
    assertThat(parser.parse("name: n\nnodes: 3\nsteps: [{name: s}]\n", SOURCE).nodes())
        .isEqualTo(3);
  }

  static Stream<Arguments> invalidScenarios() {
    String pod = "{apiVersion: v1, kind: Pod, metadata: {name: a, namespace: x}, spec: %s}";
    return Stream.of(
        Arguments.of("invalid YAML", "name: [x\n", "s.yaml: document 1 is not valid YAML"),
        Arguments.of("two documents", "name: a\n---\nname: b\n",
            "s.yaml: a scenario file holds exactly one YAML document, found 2"),
        Arguments.of("not a mapping", "- a\n", "s.yaml: expected a mapping, got a list"),
        Arguments.of("no name", "steps: [{name: s}]\n", "s.yaml: name: must be set"),
        Arguments.of("misspelt field", "name: n\nstep: []\n",
            "s.yaml: step: unknown field; expected one of name, nodes, objects, steps"),
        Arguments.of("nodes not a number", "name: n\nnodes: two\nsteps: [{name: s}]\n",
            "s.yaml: nodes: expected a whole number, got 'two'"),
        Arguments.of("no nodes", "name: n\nnodes: 0\nsteps: [{name: s}]\n",
            "s.yaml: nodes: 0 is out of range 1-250"),
        Arguments.of("no steps", "name: n\nsteps: []\n",
            "s.yaml: steps: a scenario needs at least one step"),
        Arguments.of("objects not a list", "name: n\nobjects: {a: b}\nsteps: [{name: s}]\n",
            "s.yaml: objects: expected a list, got a mapping"),
        Arguments.of("invalid object", """
            name: n
            objects:
              - {apiVersion: v1, kind: Namespace, metadata: {name: x}}
              - apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p, namespace: x}
                spec: {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/40}}]}]}
            steps: [{name: s}]
            """, "s.yaml, objects[1]: NetworkPolicy x/p: spec.ingress[0].from[0].ipBlock.cidr: "
            + "'10.0.0.0/40' is not a valid CIDR"),
        Arguments.of("unknown kind", """
            name: n
            objects: [{apiVersion: v1, kind: Service, metadata: {name: s, namespace: x}}]
            steps: [{name: s}]
            """, "s.yaml, objects[0]: Service x/s: unsupported kind"),
        Arguments.of("pod on a node the scenario lacks", """
            name: n
            objects: [%s]
            steps: [{name: s}]
            """.formatted(pod.formatted("{nodeName: node-3}")),
            "s.yaml, objects[0]: Pod x/a: spec.nodeName: 'node-3' is not a node of this "
                + "scenario (node-1 to node-2)"),
        Arguments.of("invalid object in a step", """
            name: n
            steps:
              - name: s
                apply: [%s]
            """.formatted(pod.formatted("{containers: [{name: c, ports: [{containerPort: 99999}]}]}")),
            "s.yaml, steps[0].apply[0]: Pod x/a: spec.containers[0].ports[0].containerPort: "
                + "99999 is out of range 1-65535"),
        Arguments.of("step without name", "name: n\nsteps: [{probes: []}]\n",
            "s.yaml: steps[0].name: must be set"),
        Arguments.of("unknown step field", "name: n\nsteps: [{name: s, probe: []}]\n",
            "s.yaml: steps[0].probe: unknown field"),
        Arguments.of("delete of an unknown kind",
            "name: n\nsteps: [{name: s, delete: [{kind: Service, name: a}]}]\n",
            "s.yaml: steps[0].delete[0].kind: unknown kind 'Service'"),
        Arguments.of("delete without name",
            "name: n\nsteps: [{name: s, delete: [{kind: Pod}]}]\n",
            "s.yaml: steps[0].delete[0].name: must be set"),
        Arguments.of("namespace of a namespace",
            "name: n\nsteps: [{name: s, delete: [{kind: Namespace, namespace: x, name: y}]}]\n",
            "s.yaml: steps[0].delete[0].namespace: a Namespace has no namespace"),
        Arguments.of("unknown probe protocol",
            "name: n\nsteps: [{name: s, probes: [{port: 80}, {port: 80, protocol: tcp}]}]\n",
            "s.yaml: steps[0].probes[1].protocol: unknown protocol 'tcp'; expected TCP, UDP, "
                + "SCTP or ICMP"),
        Arguments.of("probe without port",
            "name: n\nsteps: [{name: s, probes: [{protocol: UDP}]}]\n",
            "s.yaml: steps[0].probes[0].port: must be set for UDP"),
        Arguments.of("probe port out of range",
            "name: n\nsteps: [{name: s, probes: [{port: 65536}]}]\n",
            "s.yaml: steps[0].probes[0].port: 65536 is out of range 1-65535"),
        Arguments.of("probe port neither number nor name",
            "name: n\nsteps: [{name: s, probes: [{port: '8-0'}]}]\n",
            "s.yaml: steps[0].probes[0].port: '8-0' is neither a port number nor a container "
                + "port name"),
        Arguments.of("unknown family",
            "name: n\nsteps: [{name: s, probes: [{port: 80, family: 5}]}]\n",
            "s.yaml: steps[0].probes[0].family: IP family must be 4 or 6, got 5"),
        Arguments.of("unknown probe field",
            "name: n\nsteps: [{name: s, probes: [{port: 80, expected: ''}]}]\n",
            "s.yaml: steps[0].probes[0].expected: unknown field"),
        Arguments.of("invalid table", """
            name: n
            steps:
              - name: s
                probes:
                  - port: 80
                    expect: |
                      x/a x/b
                      x/a ? Y
            """, "s.yaml: steps[0].probes[0].expect: line 2: cell 'Y' is not one of"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidScenarios")
  void refusesInvalidScenariosNamingFileObjectAndField(String name, String text,
      String message) {
    assertThatThrownBy(() -> parser.parse(text, SOURCE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(message);
  }
}
