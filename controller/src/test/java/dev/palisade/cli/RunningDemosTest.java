package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunningDemosTest {
  @TempDir Path folder;

  @Test
  void aPublishedDemoIsFoundByItsNodesUntilWithdrawn() {
    RunningDemos demos = new RunningDemos(folder);
    long self = ProcessHandle.current().pid();
    RunningDemos.Demo demo = new RunningDemos.Demo(self, folder.resolve("kubeconfig"),
        Map.of("node-1", "paldemo1-ab-n1", "node-2", "paldemo1-ab-n2"));

    demos.publish(demo);

    assertThat(demos.withNode("node-2")).containsExactly(demo);
    assertThat(demos.withNode("node-3")).isEmpty();
    demos.withdraw(self);
    assertThat(demos.withNode("node-2")).isEmpty();
  }

  @Test
  void aDemoWhoseProcessIsGoneIsIgnored() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    RunningDemos demos = new RunningDemos(folder);

    demos.publish(new RunningDemos.Demo(gone.pid(), folder.resolve("kubeconfig"),
        Map.of("node-1", "paldemo1-ab-n1")));

    assertThat(demos.withNode("node-1")).isEmpty();
  }

  @Test
  void publishingSweepsTheFilesOfDemosThatAreGone() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    RunningDemos demos = new RunningDemos(folder);
    Path kubeconfig = folder.resolve("kubeconfig");
    demos.publish(new RunningDemos.Demo(gone.pid(), kubeconfig, Map.of("node-1", "n1")));

    demos.publish(new RunningDemos.Demo(ProcessHandle.current().pid(), kubeconfig,
        Map.of("node-1", "n1")));

    assertThat(folder.resolve(gone.pid() + ".properties")).doesNotExist();
    assertThat(folder.resolve(ProcessHandle.current().pid() + ".properties")).exists();
  }
}
