package dev.palisade.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.lab.NetnsCluster;
import dev.palisade.dataplane.lab.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * {@code palisade demo --backend ebpf}, in a JVM of its own (this test's classpath, as a user
 * runs it), plays the built-in tour on agents running the eBPF backend: every step passes, and
 * once the demo ends nothing of it is left: no network namespace, no agent process, no bpffs
 * mount and no work folder.
 */
@Tag("kernel")
class DemoEbpfTourTest {
  /** The tour's denied probes wait for their timeouts (the program drops, no REJECT yet). */
  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final Pattern STARTED = Pattern.compile("started \\d+ agents \\(logs in (.+)\\)");

  @TempDir Path output;
  private Process demo;

  @AfterEach
  void stopWhatTheTestStarted() {
    if (demo == null) {
      return;
    }
    if (demo.isAlive()) {
      demo.destroyForcibly();
      try {
        demo.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // what a killed demo could not remove: its agents stop with it (stdin watch); namespaces
    // and the bpffs mount of a dead pid are swept here
    NetnsCluster.sweepLeftovers("paldemo");
    for (String mount : bpffsMounts(demo.pid())) {
      new Shell().tryRun("umount", mount);
      new Shell().tryRun("rmdir", mount);
    }
  }

  @Test
  void theTourPassesOnEbpfAgentsAndLeavesNothingBehind() throws Exception {
    Path stdout = output.resolve("demo.out");
    Path stderr = output.resolve("demo.err");
    long started = System.nanoTime();
    demo = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), WorkstationMain.class.getName(), "demo",
        "--backend", "ebpf")
        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();

    long deadline = started + TIMEOUT.toNanos();
    while (!STARTED.matcher(Files.readString(stderr)).find() && demo.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(bpffsMounts(demo.pid())).as("the bpffs of the demo's eBPF agents, while they "
        + "run: %s", Files.readString(stderr)).hasSize(1);

    boolean ended = demo.waitFor(Math.max(1, deadline - System.nanoTime()),
        TimeUnit.NANOSECONDS);
    String err = Files.readString(stderr);
    assertThat(ended).as("the demo ended within %s: %s", TIMEOUT, err).isTrue();
    System.err.printf("DemoEbpfTourTest: the tour on eBPF took %d s%n",
        Duration.ofNanos(System.nanoTime() - started).toSeconds());

    assertThat(demo.exitValue()).as("exit status; stderr:%n%s%nstdout:%n%s", err,
        Files.readString(stdout)).isZero();
    assertThat(Files.readString(stdout)).contains("PASS 5 steps, 7 probes");
    Matcher workFolder = STARTED.matcher(err);
    assertThat(workFolder.find()).as("the demo names its work folder: %s", err).isTrue();
    assertThat(Path.of(workFolder.group(1))).as("the work folder").doesNotExist();
    long pid = demo.pid();
    assertThat(namespacesOf(pid)).as("network namespaces of the demo").isEmpty();
    assertThat(ProcessHandle.allProcesses()
        .filter(process -> AgentProcess.commandLine(process)
            .contains(AgentProcess.OWNER_MARKER + pid))
        .map(ProcessHandle::pid).toList()).as("agents of the demo still running").isEmpty();
    assertThat(bpffsMounts(pid)).as("bpffs mounts of the demo").isEmpty();
    try (Stream<Path> tmp = Files.list(Path.of("/tmp"))) {
      assertThat(tmp.map(Path::toString)
          .filter(path -> path.startsWith("/tmp/palisade-bpffs-" + pid + "-")).toList())
          .as("bpffs folders of the demo").isEmpty();
    }
  }

  /** The demo's namespaces are named {@code paldemo<pid>-...} (NetnsCluster). */
  private static List<String> namespacesOf(long pid) {
    return new Shell().run("ip", "netns", "list").lines()
        .map(line -> line.split(" ")[0])
        .filter(name -> name.startsWith("paldemo" + pid + "-"))
        .toList();
  }

  /** The bpffs mounts of a process's BpffsMount: {@code /tmp/palisade-bpffs-<pid>-<random>}. */
  private static List<String> bpffsMounts(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .map(line -> line.split(" ")[4])
          .filter(point -> point.startsWith("/tmp/palisade-bpffs-" + pid + "-"))
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
