package dev.palisade.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.Manifest;
import dev.palisade.k8s.ManifestReader;
import dev.palisade.k8s.ObjectKey;
import dev.palisade.k8s.YamlDocuments;
import dev.palisade.model.Namespace;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.PodPhase;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterStateTest {
  private final ClusterState cluster = new ClusterState(2);

  /** The manifests of a multi-document YAML text, each with its document number as origin. */
  static List<Manifest> manifests(String yaml) {
    ManifestReader reader = new ManifestReader();
    List<Object> documents = YamlDocuments.parse(yaml, "test");
    List<Manifest> manifests = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      manifests.addAll(reader.read(documents.get(i), "doc " + (i + 1)));
    }
    return manifests;
  }

  static String pod(String name, String spec, String status) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s, namespace: x, labels: {pod: %s}}
        spec: %s
        status: %s
        ---
        """.formatted(name, name, spec, status);
  }

  private Pod pod(String name) {
    return cluster.graph().pod(ObjectRef.of("x", name)).orElseThrow();
  }

  private static String ip(Pod pod) {
    return InetAddresses.toAddrString(pod.ips().get(0));
  }

  @Test
  void spreadsPodsWithoutNodeInTurnAndGivesThemTheLowestFreeAddress() {
    cluster.apply(manifests(pod("a", "{}", "{}") + pod("b", "{}", "{}")
        + pod("c", "{nodeName: node-2}", "{}") + pod("d", "{}", "{}")
        + pod("e", "{nodeName: node-1}", "{podIP: 10.244.1.11}")));
    assertThat(List.of("a", "b", "c", "d", "e")).extracting(name -> pod(name).nodeName())
        .containsExactly("node-1", "node-2", "node-2", "node-1", "node-1");
    // e's address is reserved before a and d are placed, though e comes later.
    assertThat(List.of("a", "b", "c", "d", "e")).extracting(name -> ip(pod(name)))
        .containsExactly("10.244.1.10", "10.244.2.10", "10.244.2.11", "10.244.1.12",
            "10.244.1.11");
    assertThat(pod("a").phase()).isEqualTo(PodPhase.RUNNING);
  }

  @Test
  void hostNetworkAndTerminatedPodsGetNoAddress() {
    cluster.apply(manifests(pod("a", "{hostNetwork: true}", "{}")
        + pod("b", "{}", "{phase: Succeeded}")));
    assertThat(pod("a").ips()).isEmpty();
    assertThat(pod("b").ips()).isEmpty();
    assertThat(pod("b").phase()).isEqualTo(PodPhase.SUCCEEDED);
  }

  @Test
  void reapplyingAPodChangesOnlyItsLabelsAndPhase() {
    cluster.apply(manifests(pod("a",
        "{containers: [{name: c, ports: [{containerPort: 80}]}]}", "{}")));
    Pod before = pod("a");
    cluster.apply(manifests("""
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: x, labels: {pod: a, role: new}}
        spec: {nodeName: node-2, containers: [{name: c, ports: [{containerPort: 81}]}]}
        status: {podIP: 10.9.9.9, phase: Failed}
        """));
    Pod after = pod("a");
    assertThat(after.labels()).isEqualTo(Map.of("pod", "a", "role", "new"));
    assertThat(after.phase()).isEqualTo(PodPhase.FAILED);
    assertThat(after.nodeName()).isEqualTo(before.nodeName());
    assertThat(after.ips()).isEqualTo(before.ips());
    assertThat(after.ports()).extracting(port -> port.port() + "/" + port.protocol())
        .containsExactly("80/" + Protocol.TCP);
  }

  @Test
  void reapplyingWithoutPhaseKeepsThePhase() {
    cluster.apply(manifests(pod("a", "{}", "{phase: Pending}")));
    cluster.apply(manifests(pod("a", "{}", "{}")));
    assertThat(pod("a").phase()).isEqualTo(PodPhase.PENDING);
  }

  @Test
  void aTerminatedPodsAddressMayBeReused() {
    cluster.apply(manifests(pod("a", "{nodeName: node-1}", "{}")));
    cluster.apply(manifests(pod("a", "{}", "{phase: Succeeded}")));
    cluster.apply(manifests(pod("b", "{nodeName: node-1}", "{}")));
    assertThat(ip(pod("b"))).isEqualTo(ip(pod("a")));
  }

  @Test
  void twoEndpointsCannotShareAnAddress() {
    cluster.apply(manifests(pod("a", "{}", "{podIP: 10.0.0.1}")));
    assertThatThrownBy(() -> cluster.apply(manifests(pod("b", "{}", "{podIP: 10.0.0.1}"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("doc 1: Pod x/b: status.podIPs: 10.0.0.1 is already the address of pod x/a");
  }

  @Test
  void namespacesGetTheirNameLabelInTheStoredObjectToo() {
    cluster.apply(manifests("{apiVersion: v1, kind: Namespace, metadata: {name: x}}"));
    assertThat(cluster.objects()).singleElement()
        .satisfies(object -> assertThat(object.getMetadata().getLabels())
            .containsEntry(Namespace.NAME_LABEL, "x"));
    assertThat(cluster.graph().namespace("x").orElseThrow().labels())
        .containsEntry(Namespace.NAME_LABEL, "x");
  }

  @Test
  void deletingANamespaceDeletesWhatItHolds() {
    cluster.apply(manifests("""
        {apiVersion: v1, kind: Namespace, metadata: {name: x}}
        ---
        {apiVersion: v1, kind: Namespace, metadata: {name: y}}
        ---
        {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: p, namespace: x}}
        ---
        {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: y}}
        ---
        """ + pod("a", "{}", "{}")));
    assertThat(cluster.delete(new ObjectKey("Namespace", null, "x"))).isTrue();
    assertThat(cluster.objects()).extracting(object -> ObjectKey.of(object).toString())
        .containsExactly("Namespace y", "Pod y/b");
    assertThat(cluster.graph().pods()).extracting(Pod::ref)
        .containsExactly(ObjectRef.of("y", "b"));
    assertThat(cluster.graph().policies()).isEmpty();
    assertThat(cluster.delete(new ObjectKey("Pod", "x", "a"))).isFalse();
  }

  @Test
  void conversionErrorsNameTheOrigin() {
    assertThatThrownBy(() -> cluster.apply(manifests(pod("a", "{}", "{podIP: nope}"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("doc 1: Pod x/a: status.podIP: 'nope' is not an IP address");
  }
}
