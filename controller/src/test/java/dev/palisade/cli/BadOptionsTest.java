package dev.palisade.cli;

import static dev.palisade.cli.CliRun.resource;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad option value is a usage error (exit 2) whose message names the option, found before
 * anything runs; never an internal error (exit 70) once the command is under way.
 */
class BadOptionsTest {
  private static final String SCENARIO = resource("pass.yaml");

  @TempDir
  static Path folder;

  static Stream<Arguments> badOptions() {
    return Stream.of(
        Arguments.of("an NFLOG group beyond 16 bits", List.of("render", "--scenario", SCENARIO,
            "--node", "node-1", "--log-denied=true", "--nflog-group", "70000"),
            "Invalid value for option '--nflog-group': 70000 is out of range 0-65535"),
        Arguments.of("a log rate whose burst overflows", List.of("render", "--scenario",
            SCENARIO, "--node", "node-1", "--log-denied=true", "--log-rate",
            "2000000000/second"), "Invalid value for option '--log-rate': 2000000000/second is "
            + "too fast: at most 5000/second"),
        Arguments.of("fail-closed without pod CIDRs where no Node gives them", List.of("render",
            "--scenario", SCENARIO, "--node", "node-1", "--fail-closed=true"),
            "--fail-closed=true needs this node's pod CIDRs: give them with --pod-cidr"),
        Arguments.of("a minimum sync interval above the maximum", List.of("agent",
            "--node-name", "n1", "--min-sync-interval", "10m", "--max-sync-interval", "1m"),
            "--min-sync-interval (10m) must not be longer than --max-sync-interval (1m)"),
        Arguments.of("a zero maximum sync interval", List.of("agent", "--node-name", "n1",
            "--max-sync-interval", "0s"),
            "Invalid value for option '--max-sync-interval': '0s' must be longer than zero"),
        Arguments.of("a negative number of rehearsals", List.of("agent", "--node-name", "n1",
            "--rehearsals", "-1"), "--rehearsals must not be negative, not -1"),
        Arguments.of("a network namespace that does not exist", List.of("cleanup", "--netns",
            "palisade-no-such-namespace"), "--netns palisade-no-such-namespace: no such "
            + "network namespace (/run/netns/palisade-no-such-namespace does not exist"),
        Arguments.of("logs of a demo node and a namespace at once", List.of("logs", "--node",
            "node-1", "--netns", "palisade-no-such-namespace"),
            "--node names a demo node, whose namespace the demo knows: give --node or --netns"),
        Arguments.of("logs of a namespace that does not exist", List.of("logs", "--netns",
            "palisade-no-such-namespace"), "--netns palisade-no-such-namespace: no such "
            + "network namespace"),
        Arguments.of("logs that stop before the first line", List.of("logs", "--count", "0"),
            "--count must be at least 1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void isAUsageErrorNamingTheOption(String name, List<String> args, String message) {
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).as(run.toString()).contains(message)
        .doesNotContain("internal error", "Exception", "is iptables installed");
  }

  @Test
  void binaryInputIsNamedAsSuchWithoutAJavaException() throws IOException {
    Path binary = Files.write(folder.resolve("image.yaml"),
        new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff, (byte) 0xfe});
    List<String> problems = new ArrayList<>();
    for (List<String> args : List.of(List.of("lint", "-f", binary.toString()),
        List.of("matrix", "--scenario", binary.toString()))) {
      CliRun run = CliRun.of(args.toArray(String[]::new));
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      problems.add(run.err());
    }
    assertThat(problems).allSatisfy(err -> assertThat(err).isEqualTo("palisade: " + binary
        + ": not UTF-8 text (a binary file?); manifests and scenarios are YAML or JSON in "
        + "UTF-8\n"));
  }
}
