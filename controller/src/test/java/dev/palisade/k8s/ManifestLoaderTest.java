package dev.palisade.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.model.LabelSelector;
import dev.palisade.model.Namespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestLoaderTest {
  private static final String NAMESPACE = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: x}
      """;
  private static final String POLICY = """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: deny, namespace: x}
      spec: {podSelector: {}}
      """;

  @TempDir
  Path folder;

  private final ManifestLoader loader = new ManifestLoader();

  private Path write(String name, String text) throws IOException {
    Path file = folder.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  private static List<String> keys(List<Manifest> manifests) {
    return manifests.stream().map(manifest -> manifest.key().toString()).toList();
  }

  @Test
  void readsMultiDocumentYamlSkippingEmptyDocuments() throws IOException {
    Path file = write("all.yaml", "---\n" + NAMESPACE + "---\n---\n" + POLICY);
    List<Manifest> manifests = loader.load(List.of(file));
    assertThat(keys(manifests)).containsExactly("Namespace x", "NetworkPolicy x/deny");
    assertThat(manifests.get(1).origin()).isEqualTo(file + ", document 3");
  }

  @Test
  void readsListsAsKubectlGetPrintsThem() throws IOException {
    Path file = write("pods.yaml", """
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x}
            status: {podIP: 10.0.0.1}
          - apiVersion: v1
            kind: Pod
            metadata: {name: b, namespace: x}
        metadata: {resourceVersion: ""}
        """);
    List<Manifest> manifests = loader.load(List.of(file));
    assertThat(keys(manifests)).containsExactly("Pod x/a", "Pod x/b");
    assertThat(manifests.get(1).origin()).isEqualTo(file + ", items[1]");
  }

  @Test
  void readsFoldersRecursivelyInNameOrderAndOnlyManifestFiles() throws IOException {
    write("b/policy.yml", POLICY);
    write("a.json", """
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "y"}}
        """);
    write("c/d/ns.yaml", NAMESPACE);
    write("notes.txt", "not a manifest");
    assertThat(keys(loader.load(List.of(folder))))
        .containsExactly("Namespace y", "NetworkPolicy x/deny", "Namespace x");
  }

  @Test
  void readsAFileWhateverItsName() throws IOException {
    assertThat(keys(loader.load(List.of(write("policy.txt", POLICY)))))
        .containsExactly("NetworkPolicy x/deny");
  }

  static Stream<Arguments> invalidFiles() {
    return Stream.of(
        Arguments.of("invalid YAML", NAMESPACE + "---\nkind: [Pod\n",
            "%s: document 2 is not valid YAML"),
        Arguments.of("unknown kind", NAMESPACE + "---\n" + """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: x}
            """, "%s, document 2: Deployment x/web: unsupported kind (apiVersion apps/v1); Palisade "
            + "reads Namespace, Pod, NetworkPolicy (networking.k8s.io/v1) and List"),
        Arguments.of("old NetworkPolicy API", """
            apiVersion: extensions/v1beta1
            kind: NetworkPolicy
            metadata: {name: p, namespace: x}
            """, "%s: NetworkPolicy x/p: unsupported kind (apiVersion extensions/v1beta1)"),
        Arguments.of("unknown kind in a List", """
            apiVersion: v1
            kind: List
            items: [{apiVersion: v1, kind: Service, metadata: {name: s}}]
            """, "%s, items[0]: Service s: unsupported kind (apiVersion v1)"),
        Arguments.of("no kind", "apiVersion: v1\nmetadata: {name: a}\n",
            "%s: a Kubernetes object needs apiVersion and kind"),
        Arguments.of("not a mapping", "- just\n- a list\n",
            "%s: expected a Kubernetes object"),
        Arguments.of("a field of the wrong type", """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x}
            spec:
              containers: [{name: c, ports: [{containerPort: eighty}]}]
            """, "%s: Pod x/a: spec.containers[0].ports[0].containerPort: expected a whole "
            + "number, got 'eighty'"),
        Arguments.of("a mapping where a list belongs", """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x}
            spec: {containers: {name: c}}
            """, "%s: Pod x/a: spec.containers: expected a list"),
        Arguments.of("a misspelt matchLabels", policy("""
            podSelector: {matchLabel: {app: web}}
            """), "%s: NetworkPolicy x/p: spec.podSelector.matchLabel: unknown field (the API "
            + "server rejects it); expected one of matchExpressions, matchLabels"),
        Arguments.of("a misspelt ingress", policy("""
            podSelector: {}
            ingres: [{}]
            """), "%s: NetworkPolicy x/p: spec.ingres: unknown field (the API server rejects "
            + "it); expected one of egress, ingress, podSelector, policyTypes"),
        Arguments.of("a null ingress rule", policy("""
            podSelector: {}
            ingress: [null]
            """), "%s: NetworkPolicy x/p: spec.ingress[0]: a list item must not be empty (null)"),
        Arguments.of("a null peer", policy("""
            podSelector: {}
            ingress:
              - from:
                  -
            """), "%s: NetworkPolicy x/p: spec.ingress[0].from[0]: a list item must not be "
            + "empty (null)"),
        Arguments.of("a null port", policy("""
            podSelector: {}
            egress: [{ports: [null]}]
            """), "%s: NetworkPolicy x/p: spec.egress[0].ports[0]: a list item must not be "
            + "empty (null)"),
        Arguments.of("a null container", """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x}
            spec: {containers: [null]}
            """, "%s: Pod x/a: spec.containers[0]: a list item must not be empty (null)"),
        Arguments.of("a null pod IP", """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x}
            spec: {containers: [{name: c}]}
            status: {podIPs: [null]}
            """, "%s: Pod x/a: status.podIPs[0]: a list item must not be empty (null)"),
        Arguments.of("an invalid label value", """
            apiVersion: v1
            kind: Namespace
            metadata: {name: x, labels: {team: "red team"}}
            """, "%s: Namespace x: metadata.labels.team: 'red team' is not a valid label value: "
            + "it must be empty or at most 63 alphanumeric characters, '-', '_' or '.', starting "
            + "and ending with an alphanumeric character; the API server rejects it"),
        Arguments.of("an invalid label key in a selector", policy("""
            podSelector: {matchExpressions: [{key: "-app", operator: Exists}]}
            """), "%s: NetworkPolicy x/p: spec.podSelector.matchExpressions[0].key: '-app' is "
            + "not a valid label key"),
        Arguments.of("a port name over 15 characters", """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x}
            spec: {containers: [{name: c, ports: [{name: metrics-for-prom, containerPort: 9090}]}]}
            """, "%s: Pod x/a: spec.containers[0].ports[0].name: port name 'metrics-for-prom' "
            + "must be no more than 15 characters (IANA_SVC_NAME, RFC 6335); the API server "
            + "rejects it"),
        Arguments.of("a named policy port over 15 characters", policy("""
            podSelector: {}
            ingress: [{ports: [{port: metrics-for-prom}]}]
            """), "%s: NetworkPolicy x/p: spec.ingress[0].ports[0].port: port name "
            + "'metrics-for-prom' must be no more than 15 characters"),
        Arguments.of("a lowercase protocol", policy("""
            podSelector: {}
            ingress: [{ports: [{port: 80, protocol: tcp}]}]
            """), "%s: NetworkPolicy x/p: spec.ingress[0].ports[0].protocol: unsupported value "
            + "'tcp': supported values are \"SCTP\", \"TCP\", \"UDP\"; the API server rejects it"),
        Arguments.of("a CIDR without prefix length", policy("""
            podSelector: {}
            egress: [{to: [{ipBlock: {cidr: 10.0.0.1}}]}]
            """), "%s: NetworkPolicy x/p: spec.egress[0].to[0].ipBlock.cidr: '10.0.0.1' must be "
            + "a valid CIDR value with a prefix length (e.g. 10.9.8.0/24 or 2001:db8::/64); the "
            + "API server rejects it"),
        Arguments.of("an invalid namespace name", """
            apiVersion: v1
            kind: Namespace
            metadata: {name: Team_X}
            """, "%s: Namespace Team_X: metadata.name: 'Team_X' is not a lowercase RFC 1123 "
            + "label"));
  }

  /** A NetworkPolicy x/p with this spec (indented as the value of "spec:"). */
  private static String policy(String spec) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: x}
        spec:
        """ + spec.indent(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void refusesInvalidFilesNamingFileAndDocument(String name, String text, String message)
      throws IOException {
    Path file = write("bad.yaml", text);
    assertThatThrownBy(() -> loader.load(List.of(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(message.formatted(file))
        .message().doesNotContain("java.", "fabric8", "Exception");
  }

  @Test
  void dropsNullLabelValuesAsTheApiServerDoes() throws IOException {
    Path file = write("null-labels.yaml", """
        apiVersion: v1
        kind: Namespace
        metadata: {name: x, labels: {team: , env: prod}}
        ---
        """ + policy("podSelector: {matchLabels: {app: null, tier: web}}\n"));
    List<Manifest> manifests = loader.load(List.of(file));
    ModelConverter converter = new ModelConverter();

    assertThat(converter.namespace((io.fabric8.kubernetes.api.model.Namespace)
        manifests.get(0).object()).labels()).containsOnlyKeys("env", Namespace.NAME_LABEL);
    assertThat(converter.networkPolicy((io.fabric8.kubernetes.api.model.networking.v1
        .NetworkPolicy) manifests.get(1).object()).podSelector())
        .isEqualTo(LabelSelector.of(Map.of("tier", "web")));
  }

  @Test
  void unknownFieldsAreIgnoredWhenAllowed() throws IOException {
    Path file = write("typo.yaml", policy("podSelector: {matchLabel: {app: web}}\n"));
    List<Manifest> manifests = new ManifestLoader(new ManifestReader(true)).load(List.of(file));
    assertThat(keys(manifests)).containsExactly("NetworkPolicy x/p");
  }

  @Test
  void refusesAMissingPath() {
    Path missing = folder.resolve("missing.yaml");
    assertThatThrownBy(() -> loader.load(List.of(missing)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(missing + ": no such file or folder");
  }
}
