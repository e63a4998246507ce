package dev.palisade.k8s;

import static dev.palisade.model.testing.Builders.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.model.Namespace;
import dev.palisade.model.Pod;
import dev.palisade.model.PodPhase;
import dev.palisade.model.Protocol;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelConverterPodTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private final ModelConverter converter = new ModelConverter();

  /** A Pod x/a labelled pod=a, with the given spec and status (YAML mappings). */
  static io.fabric8.kubernetes.api.model.Pod podYaml(String spec, String status) {
    return SERIALIZATION.unmarshal("""
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: x, labels: {pod: a}}
        spec: %s
        status: %s
        """.formatted(spec, status), io.fabric8.kubernetes.api.model.Pod.class);
  }

  static Stream<Arguments> pods() {
    return Stream.of(
        Arguments.of("no status: pending, no address",
            "{nodeName: node-1}", "{}",
            pod("a").in("x").labels("pod", "a").phase(PodPhase.PENDING).build()),
        Arguments.of("status.podIP",
            "{nodeName: node-1}", "{podIP: 10.0.1.10, phase: Running}",
            pod("a").in("x").labels("pod", "a").ip("10.0.1.10").build()),
        Arguments.of("status.podIPs wins, dual stack in its order",
            "{nodeName: node-1}",
            "{podIP: 10.0.1.10, podIPs: [{ip: 'fd00::10'}, {ip: 10.0.1.10}], phase: Running}",
            pod("a").in("x").labels("pod", "a").ip("fd00::10", "10.0.1.10").build()),
        Arguments.of("no node",
            "{}", "{phase: Running}",
            pod("a").in("x").labels("pod", "a").node(null).build()),
        Arguments.of("terminated",
            "{nodeName: node-1}", "{podIP: 10.0.1.10, phase: Succeeded}",
            pod("a").in("x").labels("pod", "a").ip("10.0.1.10").phase(PodPhase.SUCCEEDED)
                .build()),
        Arguments.of("failed",
            "{nodeName: node-1}", "{phase: Failed}",
            pod("a").in("x").labels("pod", "a").phase(PodPhase.FAILED).build()),
        Arguments.of("host network",
            "{nodeName: node-1, hostNetwork: true}", "{podIP: 192.168.0.1, phase: Running}",
            pod("a").in("x").labels("pod", "a").ip("192.168.0.1").hostNetwork().build()),
        Arguments.of("container ports of every container, protocol defaulting to TCP",
            "{nodeName: node-1, containers: [{name: one, ports: [{containerPort: 80, name: web}]},"
                + " {name: two, ports: [{containerPort: 53, protocol: UDP},"
                + " {containerPort: 9, protocol: SCTP, name: s}]}]}",
            "{phase: Running}",
            pod("a").in("x").labels("pod", "a").port("web", 80, Protocol.TCP)
                .port(null, 53, Protocol.UDP).port("s", 9, Protocol.SCTP).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pods")
  void convertsPods(String name, String spec, String status, Pod expected) {
    assertThat(converter.pod(podYaml(spec, status))).isEqualTo(expected);
  }

  static Stream<Arguments> invalidPods() {
    return Stream.of(
        Arguments.of("podIP not an address", "{}", "{podIP: 10.0.1.300}",
            "Pod x/a: status.podIP: '10.0.1.300' is not an IP address"),
        Arguments.of("podIPs entry not an address", "{}", "{podIPs: [{ip: 10.0.1.1}, {ip: x}]}",
            "Pod x/a: status.podIPs[1].ip: 'x' is not an IP address"),
        Arguments.of("two addresses of one family", "{}",
            "{podIPs: [{ip: 10.0.1.1}, {ip: 10.0.1.2}]}",
            "Pod x/a: status.podIPs[1].ip: a pod has at most one IPv4 address"),
        Arguments.of("unknown phase", "{}", "{phase: Runing}",
            "Pod x/a: status.phase: unknown phase 'Runing'"),
        Arguments.of("container port out of range",
            "{containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 0}]}]}", "{}",
            "Pod x/a: spec.containers[0].ports[1].containerPort: 0 is out of range 1-65535"),
        Arguments.of("container port missing",
            "{containers: [{name: c}, {name: d, ports: [{name: web}]}]}", "{}",
            "Pod x/a: spec.containers[1].ports[0].containerPort: must be set"),
        Arguments.of("container port protocol unknown",
            "{containers: [{name: c, ports: [{containerPort: 80, protocol: HTTP}]}]}", "{}",
            "Pod x/a: spec.containers[0].ports[0].protocol: unknown protocol 'HTTP'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPods")
  void refusesInvalidPodsNamingObjectAndField(String name, String spec, String status,
      String message) {
    assertThatThrownBy(() -> converter.pod(podYaml(spec, status)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void namespacesCarryTheirNameLabel() {
    io.fabric8.kubernetes.api.model.Namespace manifest = SERIALIZATION.unmarshal("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: x, labels: {team: blue}}
        """, io.fabric8.kubernetes.api.model.Namespace.class);
    assertThat(converter.namespace(manifest)).isEqualTo(Namespace.of("x",
        Map.of("team", "blue", Namespace.NAME_LABEL, "x")));
  }

  @Test
  void aNamespaceNeedsAName() {
    io.fabric8.kubernetes.api.model.Namespace manifest = SERIALIZATION.unmarshal("""
        apiVersion: v1
        kind: Namespace
        metadata: {labels: {team: blue}}
        """, io.fabric8.kubernetes.api.model.Namespace.class);
    assertThatThrownBy(() -> converter.namespace(manifest))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("Namespace <no name>: metadata.name: must be set");
  }

  @Test
  void phasesUseTheApiSpelling() {
    assertThat(ModelConverter.apiName(PodPhase.SUCCEEDED)).isEqualTo("Succeeded");
  }
}
