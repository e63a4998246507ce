package dev.palisade.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which processes a demo's sweep stops: demo agents whose starter is gone, nothing else. */
class AgentProcessOrphansTest {
  private static final long OWNER = 4242;

  private static List<String> agent(long owner) {
    return List.of(AgentProcess.OWNER_MARKER + owner, "-Xmx256m", "-cp", "palisade.jar",
        "dev.palisade.cli.Main", "agent", "--exit-when-stdin-closes", "--node-name=node-1");
  }

  @Test
  void anAgentIsAnOrphanOnlyWhenItsOwnerIsNoLongerItsParent() {
    assertThat(AgentProcess.isOrphan(agent(OWNER), Optional.of(OWNER))).isFalse();
    assertThat(AgentProcess.isOrphan(agent(OWNER), Optional.of(1L))).isTrue();
    assertThat(AgentProcess.isOrphan(agent(OWNER), Optional.empty())).isTrue();
  }

  @Test
  void processesWithoutTheFullDemoAgentCommandLineAreNeverOrphans() {
    // a DaemonSet agent, a demo, a marker after the main class (an argument, not the JVM's)
    assertThat(AgentProcess.isOrphan(List.of("-cp", "palisade.jar", "dev.palisade.cli.Main",
        "agent", "--node-name=n1"), Optional.of(1L))).isFalse();
    assertThat(AgentProcess.isOrphan(List.of(AgentProcess.OWNER_MARKER + OWNER, "-cp", "x",
        "dev.palisade.cli.Main", "demo"), Optional.of(1L))).isFalse();
    assertThat(AgentProcess.isOrphan(List.of("-cp", "x", "dev.palisade.cli.Main", "agent",
        AgentProcess.OWNER_MARKER + OWNER), Optional.of(1L))).isFalse();
    assertThat(AgentProcess.isOrphan(List.of(AgentProcess.OWNER_MARKER + "1; rm -rf /", "-cp",
        "x", "dev.palisade.cli.Main", "agent"), Optional.of(1L))).isFalse();
  }

  @Test
  void theSweepStopsAgentLikeProcessesWhoseOwnerIsGoneAndLeavesTheOthers() throws Exception {
    long deadOwner = deadPid();
    // sh ignores the arguments after its script, which shows them in its command line
    Process orphan = imitation(deadOwner);
    Process ours = imitation(ProcessHandle.current().pid());
    Process unrelated = new ProcessBuilder("sh", "-c", "read line").start();
    try {
      assertThat(AgentProcess.stopOrphans()).isGreaterThanOrEqualTo(1);

      assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).as("the orphan was stopped").isTrue();
      assertThat(ours.isAlive()).as("an agent whose demo runs is left alone").isTrue();
      assertThat(unrelated.isAlive()).isTrue();
    } finally {
      orphan.destroyForcibly();
      ours.destroyForcibly();
      unrelated.destroyForcibly();
    }
  }

  /** A process whose arguments are a demo agent's, owned by {@code owner}; it waits on stdin. */
  private static Process imitation(long owner) throws IOException {
    List<String> command = new ArrayList<>(List.of("sh", "-c", "read line", "sh"));
    command.addAll(agent(owner));
    return new ProcessBuilder(command).start();
  }

  private static long deadPid() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    return finished.pid();
  }
}
