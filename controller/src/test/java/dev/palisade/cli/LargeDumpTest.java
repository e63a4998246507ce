package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster dumps as {@code kubectl get pods -A -o yaml} prints them are tens of MB in one YAML
 * document, and may hold long scalars (a last-applied-configuration annotation, a ConfigMap's
 * data). They must be readable, in time linear in their size. Linearity is checked by comparing
 * two sizes, not by a tight timing, so that a busy machine does not fail the test.
 */
class LargeDumpTest {
  @TempDir
  Path folder;

  @Test
  void readsOneDocumentOfTwentyMegabytesWithOneLongScalar() throws IOException {
    Path file = folder.resolve("long-scalar.yaml");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("""
          apiVersion: v1
          kind: Namespace
          metadata:
            name: x
            annotations:
              note: \"""");
      for (int i = 0; i < 20 * 1024 * 1024; i++) {
        out.write('a' + i % 26);
      }
      out.write("\"\n");
    }

    long started = System.nanoTime();
    ManifestCluster loaded = ManifestCluster.load(List.of(file), new ManifestReading());
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(loaded.cluster().objects()).hasSize(1);
    assertThat(took).as("reading a 20 MB scalar").isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void readsAClusterDumpInTimeLinearInItsSize() throws IOException {
    Path small = dump("small.yaml", 2_000);
    Path large = dump("large.yaml", 8_000);
    read(small);

    long smallNanos = read(small);
    long largeNanos = read(large);

    // Four times the pods: about four times the time when linear, sixteen when quadratic.
    assertThat((double) largeNanos / smallNanos)
        .as("time for %s pods over time for %s (%s ms, %s ms)", 8_000, 2_000,
            largeNanos / 1_000_000, smallNanos / 1_000_000)
        .isLessThan(8.0);
  }

  private static long read(Path dump) {
    long started = System.nanoTime();
    ManifestCluster loaded = ManifestCluster.load(List.of(dump), new ManifestReading());
    long took = System.nanoTime() - started;
    assertThat(loaded.cluster().graph().pods()).isNotEmpty();
    return took;
  }

  /** A List of pods as a real cluster's dump holds them, about 1.8 KB each. */
  private Path dump(String name, int pods) throws IOException {
    Path file = folder.resolve(name);
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("apiVersion: v1\nkind: List\nitems:\n");
      for (int i = 0; i < pods; i++) {
        String ip = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
        out.write("""
            - apiVersion: v1
              kind: Pod
              metadata:
                name: web-%1$d
                namespace: ns%2$d
                labels: {app: web%3$d, pod-template-hash: 5d8f7c9b%4$d}
                annotations:
                  kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-%1$d"},"spec":{"containers":[{"image":"nginx:1.27","name":"web"}]}}'
                uid: 3f1e2d4c-%1$08d-4a5b-9c8d-0123456789ab
                resourceVersion: "%1$d"
                creationTimestamp: "2026-01-01T00:00:00Z"
              spec:
                nodeName: node-%5$d
                containers:
                - name: web
                  image: nginx:1.27
                  ports:
                  - {name: http, containerPort: 8080, protocol: TCP}
                  - {name: metrics, containerPort: 9090, protocol: TCP}
                  env:
                  - {name: LOG_LEVEL, value: info}
                  - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                  resources:
                    requests: {cpu: 100m, memory: 128Mi}
                    limits: {cpu: 500m, memory: 256Mi}
                  volumeMounts:
                  - {name: api-access, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}
                volumes:
                - name: api-access
                  projected:
                    sources:
                    - serviceAccountToken: {expirationSeconds: 3607, path: token}
              status:
                phase: Running
                podIP: %6$s
                podIPs: [{ip: %6$s}]
                hostIP: 192.168.0.%5$d
                conditions:
                - {type: Ready, status: "True", lastTransitionTime: "2026-01-01T00:00:05Z"}
                containerStatuses:
                - name: web
                  ready: true
                  restartCount: 0
                  image: nginx:1.27
                  imageID: docker.io/library/nginx@sha256:0123456789abcdef0123456789abcdef
                  state: {running: {startedAt: "2026-01-01T00:00:04Z"}}
            """.formatted(i, i % 50, i % 20, i % 10, i % 100, ip));
      }
    }
    return file;
  }
}
