package dev.palisade.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.lab.NetnsCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code palisade demo} in a JVM of its own (this test's classpath), stopped while its agents
 * run: with SIGKILL its agents must die with it; with SIGTERM it must take the cluster down,
 * say so without calling it an internal error, and remove its work folder.
 */
@Tag("kernel")
class DemoSignalsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern STARTED = Pattern.compile("started \\d+ agents \\(logs in (.+)\\)");

  private final List<ProcessHandle> started = new ArrayList<>();
  @TempDir Path stderr;

  /** Work folders of the demos started: a killed demo cannot remove its own. */
  private final List<Path> workFolders = new ArrayList<>();

  @AfterEach
  void stopWhatTheTestStarted() throws IOException {
    started.forEach(ProcessHandle::destroyForcibly);
    for (Path folder : workFolders) {
      if (Files.exists(folder)) {
        try (Stream<Path> paths = Files.walk(folder)) {
          for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(path);
          }
        }
      }
    }
    // the killed demo could not delete its namespaces: the lab's own sweep does (its pid is dead)
    NetnsCluster.sweepLeftovers("paldemo");
  }

  @Test
  void agentsDieWithADemoKilledBySigkill() throws Exception {
    Demo demo = Demo.start(started, stderr.resolve("demo.err"));
    workFolders.add(demo.workFolder());
    List<ProcessHandle> agents = demo.process.toHandle().children()
        .filter(child -> AgentProcess.commandLine(child).contains("agent"))
        .toList();
    assertThat(agents).hasSize(2);
    started.addAll(agents);

    demo.process.destroyForcibly();
    demo.process.waitFor();

    for (ProcessHandle agent : agents) {
      assertThat(agent.onExit().completeOnTimeout(null, 20, TimeUnit.SECONDS).get())
          .as("agent %s exited after its demo was killed", agent.pid()).isNotNull();
    }
  }

  @Test
  void sigtermTakesTheClusterDownWithoutAnInternalErrorAndRemovesTheWorkFolder()
      throws Exception {
    Demo demo = Demo.start(started, stderr.resolve("demo.err"));
    workFolders.add(demo.workFolder());

    demo.process.destroy();
    assertThat(demo.process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    assertThat(Files.readString(demo.stderr)).doesNotContain("internal error")
        .doesNotContain("Exception");
    assertThat(demo.workFolder).doesNotExist();
  }

  /** A running demo whose agents have started. */
  private record Demo(Process process, Path workFolder, Path stderr) {
    static Demo start(List<ProcessHandle> started, Path stderr) throws Exception {
      Process process = new ProcessBuilder(
          ProcessHandle.current().info().command().orElse("java"), "-cp",
          System.getProperty("java.class.path"), WorkstationMain.class.getName(), "demo")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(stderr.toFile()).start();
      started.add(process.toHandle());
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (true) {
        Matcher matcher = STARTED.matcher(Files.readString(stderr));
        if (matcher.find()) {
          Path folder = Path.of(matcher.group(1));
          assertThat(folder).isDirectory();
          return new Demo(process, folder, stderr);
        }
        assertThat(process.isAlive()).as("the demo ended: %s", Files.readString(stderr))
            .isTrue();
        assertThat(System.nanoTime()).as("the demo started no agents: %s",
            Files.readString(stderr)).isLessThan(deadline);
        Thread.sleep(100);
      }
    }
  }
}
