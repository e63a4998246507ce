package dev.palisade.e2e.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.dataplane.lab.ResidentMemory;
import dev.palisade.testing.ClusterLoad;
import dev.palisade.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Cold start and restart of the real agent process at 10,000 pods / 1,000 policies / 100
 * namespaces on a real kube-apiserver (the measured node holds 110 pods): process start →
 * initial lists received → first (complete) program of an empty node network namespace, with
 * the agent's RSS; then a restart on the programmed node (adopt: writes nothing). A
 * measurement, not a test: it runs only when asked (tag "measurement") and prints the
 * Markdown of docs/performance.md. Needs root (the node is a network namespace).
 *
 * <p>Run: {@code mvn -B test -pl e2e -am -Dpalisade.excludedTags= -Dtest=ColdStartMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("measurement")
class ColdStartMeasurement {
  private static final String SYSTEM = "palisade-system";
  private static final String NODE = "node-1";
  private static final ClusterLoad LOAD = new ClusterLoad(100, 10_000, 900, NODE, 91);
  private static final int ROUNDS = 3;
  private static final Pattern LISTED = Pattern.compile(
      "initial lists received \\(([^)]*)\\) at (\\d+) ms of process uptime");
  private static final Pattern FIRST_SYNC = Pattern.compile(
      "first sync in (\\d+) ms, at (\\d+) ms of process uptime: (\\d+) local endpoints, (\\d+) "
          + "policies; wrote (.*)");

  /** One agent start, read off its log and /proc. */
  private record Start(long listedAtMillis, long programmedAtMillis, long syncMillis,
      String wrote, long rssKib, long peakRssKib, String endpointsAndPolicies) {}

  @Test
  void coldStartAndRestartAtTenThousandPods() throws Exception {
    NetnsCluster.requireRootAndTools();
    try (ControlPlane plane = ControlPlane.start(false)) {
      plane.createNamespace(SYSTEM, Map.of("pod-security.kubernetes.io/enforce", "privileged"));
      HelmRelease release = new HelmRelease(plane, "palisade", SYSTEM);
      release.install(Map.of()).assertSucceeded();
      long loadStart = System.nanoTime();
      ClusterLoad.Written written = LOAD.writeTo(plane.admin());
      long loadSeconds = Duration.ofNanos(System.nanoTime() - loadStart).toSeconds();
      Path kubeconfig = plane.kubeconfigFor(SYSTEM, release.agentServiceAccount());
      Path logs = Files.createTempDirectory("palisade-cold-start-");

      StringBuilder table = new StringBuilder("| Run | JVM options | Initial lists received "
          + "(ms of uptime) | First complete program (ms of uptime) | Of which the sync (ms) | "
          + "RSS at first program (MiB) | Peak RSS (MiB) | Restart: first sync (ms of uptime) "
          + "| Restart wrote |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
      String endpointsAndPolicies = "";
      for (List<String> jvm : List.of(List.<String>of(), List.of("-Xmx256m"))) {
        for (int round = 1; round <= ROUNDS; round++) {
          try (NetnsCluster node = NetnsCluster.start("palcold", 1)) {
            List<String> agent = List.of("agent", "--kubeconfig", kubeconfig.toString(),
                "--node-name", NODE, "--netns", node.nodeNamespace(1), "--health-address",
                "127.0.0.1", "--health-port", "0");
            Start cold = measure(logs.resolve("cold-" + jvm.size() + "-" + round + ".log"),
                jvm, agent);
            Start restart = measure(logs.resolve("restart-" + jvm.size() + "-" + round
                + ".log"), jvm, agent);
            assertThat(restart.wrote()).as("a restart adopts the programmed node")
                .isEqualTo("nothing");
            endpointsAndPolicies = cold.endpointsAndPolicies();
            table.append("| ").append(round).append(" | ")
                .append(jvm.isEmpty() ? "none (JVM defaults)" : String.join(" ", jvm))
                .append(" | ").append(cold.listedAtMillis()).append(" | ")
                .append(cold.programmedAtMillis()).append(" | ").append(cold.syncMillis())
                .append(" | ").append(cold.rssKib() / 1024).append(" | ")
                .append(cold.peakRssKib() / 1024).append(" | ")
                .append(restart.programmedAtMillis()).append(" | ").append(restart.wrote())
                .append(" |\n");
          }
        }
      }
      System.out.printf("%n%d objects written in %d s; the node holds %s%n%n%s%n",
          written.all().size(), loadSeconds, endpointsAndPolicies, table);
    }
  }

  /** Starts the agent, waits for its first program, reads the figures, stops it. */
  private static Start measure(Path log, List<String> jvm, List<String> arguments)
      throws Exception {
    try (PalisadeProcess agent = PalisadeProcess.start(log, Map.of(), jvm, arguments)) {
      Matcher[] firstSync = new Matcher[1];
      Eventually.within(Duration.ofMinutes(3), () -> {
        Matcher matcher = FIRST_SYNC.matcher(agent.output());
        assertThat(matcher.find()).as("first sync logged").isTrue();
        firstSync[0] = matcher;
      });
      ResidentMemory memory = ResidentMemory.of(agent.pid());
      Matcher listed = LISTED.matcher(agent.output());
      assertThat(listed.find()).isTrue();
      Thread.sleep(3000);
      assertThat(agent.output()).as("nothing written after the first program")
          .doesNotContain("synced in");
      String wrote = firstSync[0].group(5).strip();
      return new Start(Long.parseLong(listed.group(2)), Long.parseLong(firstSync[0].group(2)),
          Long.parseLong(firstSync[0].group(1)), wrote, memory.rssKib(), memory.peakKib(),
          firstSync[0].group(3) + " local endpoints, " + firstSync[0].group(4) + " policies ("
              + listed.group(1) + ")");
    }
  }
}
