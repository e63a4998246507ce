package dev.palisade.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.palisade.model.Policy;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A trimmed copy keeps exactly what the converter reads: the model value (or the refusal) is the
 * same for the copy as for the object the API server sent, and nothing else survives.
 */
class TrimmedObjectsTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private final ModelConverter converter = new ModelConverter();
  private final TrimmedObjects trimmed = new TrimmedObjects();

  /**
   * A pod as a real API server serves it, with every field a kubelet and kubectl add (test
   * resource full-pod.yaml, in namespace shop on node-7).
   */
  static Pod fullPod() {
    return SERIALIZATION.unmarshal(
        TrimmedObjectsTest.class.getResourceAsStream("full-pod.yaml"), Pod.class);
  }

  private static final String TRIMMED_POD = """
      ---
      apiVersion: "v1"
      kind: "Pod"
      metadata:
        labels:
          app: "web"
          tier: "front"
          pod-template-hash: "7d4b9c"
          empty: ""
        name: "web-7d4b9c-x2x9z"
        namespace: "shop"
        resourceVersion: "48121"
      spec:
        containers:
        - ports:
          - containerPort: 8080
            name: "http"
            protocol: "TCP"
          - containerPort: 9090
            name: "metrics"
        - ports:
          - containerPort: 53
            name: "dns"
            protocol: "UDP"
          - containerPort: 7
            protocol: "SCTP"
        - {}
        hostNetwork: false
        nodeName: "node-7"
      status:
        phase: "Running"
        podIP: "10.7.0.12"
        podIPs:
        - ip: "10.7.0.12"
        - ip: "fd00:7::12"
      """;

  @Test
  void aTrimmedPodKeepsOnlyWhatTheModelReads() {
    Pod full = fullPod();
    Pod copy = trimmed.pod(full);

    assertThat(SERIALIZATION.asYaml(copy)).isEqualTo(TRIMMED_POD);
    assertThat(converter.pod(copy)).isEqualTo(converter.pod(full));
  }

  @Test
  void aTrimmedNamespaceKeepsItsNameLabelsAndVersion() {
    Namespace full = SERIALIZATION.unmarshal("""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          resourceVersion: "17"
          uid: 5d1e
          labels: {kubernetes.io/metadata.name: shop, team: blue}
          annotations: {owner: team-blue}
          managedFields: [{manager: kubectl, operation: Update, apiVersion: v1}]
        spec: {finalizers: [kubernetes]}
        status: {phase: Active}
        """, Namespace.class);
    Namespace copy = trimmed.namespace(full);

    assertThat(SERIALIZATION.asYaml(copy)).isEqualTo("""
        ---
        apiVersion: "v1"
        kind: "Namespace"
        metadata:
          labels:
            kubernetes.io/metadata.name: "shop"
            team: "blue"
          name: "shop"
          resourceVersion: "17"
        """);
    assertThat(converter.namespace(copy)).isEqualTo(converter.namespace(full));
  }

  @Test
  void aTrimmedPolicyKeepsItsWholeSpecAndDropsTheRestOfItsMetadata() {
    NetworkPolicy full = SERIALIZATION.unmarshal("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: allow-web
          namespace: shop
          resourceVersion: "99"
          annotations: {kubectl.kubernetes.io/last-applied-configuration: '{"big": true}'}
          managedFields: [{manager: kubectl, operation: Update, apiVersion: v1}]
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: [Ingress, Egress]
          ingress:
          - from:
            - namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [a]}]}
              podSelector: {matchLabels: {app: shop}}
            - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
            ports: [{port: http}, {port: 8000, endPort: 8100, protocol: UDP}]
          egress:
          - to: [{podSelector: {}}]
        """, NetworkPolicy.class);
    NetworkPolicy copy = trimmed.networkPolicy(full);

    assertThat(copy.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(copy.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(copy.getMetadata().getResourceVersion()).isEqualTo("99");
    assertThat(copy.getSpec()).isEqualTo(full.getSpec());
    assertThat(converter.networkPolicy(copy)).isEqualTo(converter.networkPolicy(full));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.palisade.k8s.ModelConverterPodTest#pods")
  void everyPodCaseConvertsAlikeTrimmed(String name, String spec, String status,
      dev.palisade.model.Pod expected) {
    Pod full = ModelConverterPodTest.podYaml(spec, status);
    assertThat(converter.pod(trimmed.pod(full))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.palisade.k8s.ModelConverterPodTest#invalidPods")
  void everyRefusedPodIsRefusedAlikeTrimmed(String name, String spec, String status,
      String message) {
    Pod full = ModelConverterPodTest.podYaml(spec, status);
    assertThat(refusal(converter::pod, trimmed.pod(full))).startsWith(message)
        .isEqualTo(refusal(converter::pod, full));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.palisade.k8s.ModelConverterPolicyTest#conversions")
  void everyPolicyCaseConvertsAlikeTrimmed(String name, String spec, Policy expected) {
    NetworkPolicy full = ModelConverterPolicyTest.policyYaml(spec);
    assertThat(converter.networkPolicy(trimmed.networkPolicy(full))).isEqualTo(expected);
  }

  @Test
  void repeatedStringsAreSharedBetweenCopies() {
    Pod first = trimmed.pod(fullPod());
    Pod second = trimmed.pod(fullPod());

    assertThat(second.getMetadata().getLabels().get("app"))
        .isSameAs(first.getMetadata().getLabels().get("app"));
    assertThat(second.getSpec().getNodeName()).isSameAs(first.getSpec().getNodeName());
    assertThat(second.getMetadata().getNamespace()).isSameAs(first.getMetadata().getNamespace());
  }

  private static <T> String refusal(Function<T, ?> convert, T object) {
    Throwable thrown = catchThrowable(() -> convert.apply(object));
    assertThat(thrown).isInstanceOf(InvalidInputException.class);
    return thrown.getMessage();
  }
}
