package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCommandRunnerTest {
  private final ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofSeconds(5));

  @Test
  void feedsStdinAndCapturesBothStreamsAndTheExitCode() {
    CommandResult result = runner.run(List.of("sh", "-c", "cat; echo oops >&2; exit 3"),
        "*filter\nCOMMIT\n");

    assertThat(result).isEqualTo(new CommandResult(3, "*filter\nCOMMIT\n", "oops\n"));
  }

  @Test
  void largeOutputOnBothStreamsDoesNotStall() {
    CommandResult result = runner.run(List.of("sh", "-c",
        "i=0; while [ $i -lt 20000 ]; do echo line-$i; echo err-$i >&2; i=$((i+1)); done"));

    assertThat(result.stdout().lines()).hasSize(20000);
    assertThat(result.stderr().lines()).hasSize(20000);
  }

  @Test
  void aCommandThatHangsIsKilledAndReported() {
    CommandResult result = new ProcessCommandRunner(Duration.ofMillis(200))
        .run(List.of("sleep", "30"));

    assertThat(result.exitCode()).isEqualTo(ProcessCommandRunner.TIMED_OUT);
    assertThat(result.stderr()).contains("timed out");
  }

  @Test
  void netnsRunnerEntersTheNamedNetworkNamespace() {
    FakeKernel recorder = new FakeKernel();
    new NetnsCommandRunner(recorder, "paltest-x").run(List.of("ipset", "save"));

    assertThat(recorder.log().get(0).argv())
        .containsExactly("nsenter", "--net=/run/netns/paltest-x", "ipset", "save");
  }
}
