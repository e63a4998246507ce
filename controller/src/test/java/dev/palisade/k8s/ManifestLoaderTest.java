package dev.palisade.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            """, "%s: Pod x/a: spec.containers[0].ports[0].containerPort: "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void refusesInvalidFilesNamingFileAndDocument(String name, String text, String message)
      throws IOException {
    Path file = write("bad.yaml", text);
    assertThatThrownBy(() -> loader.load(List.of(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(message.formatted(file));
  }

  @Test
  void refusesAMissingPath() {
    Path missing = folder.resolve("missing.yaml");
    assertThatThrownBy(() -> loader.load(List.of(missing)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(missing + ": no such file or folder");
  }
}
