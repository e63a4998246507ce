package dev.palisade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import dev.palisade.demo.DemoBackend;
import dev.palisade.demo.DemoTestAccess;
import dev.palisade.logs.DeniedPackets;
import dev.palisade.logs.InformerDirectory;
import dev.palisade.logs.NflogFollower;
import dev.palisade.model.Protocol;
import dev.palisade.scenario.ScenarioParser;
import dev.palisade.scenario.ScenarioRunner;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What was denied, and by whom, on a real cluster whose agents log denied packets: the guarded
 * service (x/b on node 2 admits only x/a on TCP 80), x/c probing x/b. {@code palisade logs}
 * (its parts, on node 2's namespace) shows the probe with both pods and the isolating policy;
 * node 2's agent counts it on /metrics, and counts x/a's allowed connection for the policy.
 */
@Tag("kernel")
class DeniedTrafficTest {
  private static final String NAME = "denied-traffic";
  private static final InetAddress B = InetAddresses.forString(GuardedService.B);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static DemoBackend cluster;

  @BeforeAll
  static void startCluster() {
    List<String> options = new ArrayList<>(E2eCluster.standardAgentOptions());
    options.add("--log-denied=true");
    cluster = E2eCluster.start(NAME, options);
    cluster.converge(ScenarioRunner.stateAfter(new ScenarioParser().parse(GuardedService.FILE),
        1));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aDeniedProbeIsLoggedWithItsPodsAndTheIsolatingPolicy() throws Exception {
    StringWriter shown = new StringWriter();
    try (KubernetesClient client = cluster.apiServer().client();
        InformerDirectory directory = InformerDirectory.start(client, 30);
        NflogFollower follower = NflogFollower.start(
            Optional.of(DemoTestAccess.lab(cluster).nodeNamespace(2)), 100)) {
      CompletableFuture<Void> printing = CompletableFuture.runAsync(() -> {
        try {
          DeniedPackets.print(follower, directory, new PrintWriter(shown), Optional.of(1));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      // Until print runs, logged packets wait in the socket; probe until a line shows.
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!printing.isDone() && System.nanoTime() < deadline) {
        assertThat(DemoTestAccess.lab(cluster).reaches("x/c", B, Protocol.TCP, 80)).isFalse();
      }
      printing.get();
    }
    assertThat(shown.toString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z "
        + "x/c \\(10\\.244\\.1\\.11\\) -> x/b \\(10\\.244\\.2\\.10\\) TCP/80 ingress denied for "
        + "x/b, isolated by x/guard-b\\R");
  }

  @Test
  void nodeTwosAgentCountsTheDeniedAndTheAllowedProbes() throws Exception {
    String denied = "palisade_denied_packets_total{direction=\"ingress\",namespace=\"x\","
        + "pod=\"b\"}";
    String allowed = "palisade_allowed_packets_total{policy=\"x/guard-b\"}";
    String before = awaitMetrics(denied, allowed);

    assertThat(DemoTestAccess.lab(cluster).reaches("x/c", B, Protocol.TCP, 80)).isFalse();
    assertThat(DemoTestAccess.lab(cluster).reaches("x/a", B, Protocol.TCP, 80)).isTrue();

    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    String after = before;
    while (System.nanoTime() < deadline
        && (value(after, denied) <= value(before, denied)
            || value(after, allowed) <= value(before, allowed))) {
      Thread.sleep(500);
      after = metrics();
    }
    // A denied probe sends one SYN: rejected, the connect fails, and a failed connect is not
    // tried again; the allowed one connects once or, on a slow machine, again.
    assertThat(value(after, denied) - value(before, denied)).isEqualTo(1);
    assertThat(value(after, allowed) - value(before, allowed)).isBetween(1L, 3L);
  }

  /** /metrics once both series exist (after the first sync and scrape). */
  private static String awaitMetrics(String... series) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    String metrics = metrics();
    while (!List.of(series).stream().allMatch(metrics::contains)
        && System.nanoTime() < deadline) {
      assertThat(DemoTestAccess.lab(cluster).reaches("x/a", B, Protocol.TCP, 80)).isTrue();
      Thread.sleep(500);
      metrics = metrics();
    }
    assertThat(metrics).contains(series);
    return metrics;
  }

  private static long value(String metrics, String series) {
    return metrics.lines().filter(line -> line.startsWith(series + " "))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(series.length() + 1)))
        .findFirst().orElse(0);
  }

  /** Node 2's agent's /metrics; its port is in its log (the harness picks a free one). */
  private static String metrics() {
    return AgentHealth.get(AgentHealth.port(NAME, 2), "/metrics").body();
  }
}
