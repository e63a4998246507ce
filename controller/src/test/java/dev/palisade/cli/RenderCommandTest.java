package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code palisade render}: the payloads of one node at one step of a scenario. */
class RenderCommandTest {
  private static final String TOUR = "../demo/src/main/resources/dev/palisade/demo/tour.yaml";

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int render(String... args) {
    CommandLine palisade = Main.commandLine();
    palisade.setOut(new PrintWriter(out, true));
    palisade.setErr(new PrintWriter(err, true));
    String[] command = new String[args.length + 1];
    command[0] = "render";
    System.arraycopy(args, 0, command, 1, args.length);
    return palisade.execute(command);
  }

  @Test
  void printsBothFamiliesPayloadsForTheNodeAtTheStep() {
    assertThat(render("--scenario", TOUR, "--step", "3", "--node", "node-1")).isZero();
    assertThat(out.toString())
        .contains("# ipset restore (IPv4)", "# iptables-restore (IPv4)",
            "# ipset restore (IPv6)", "# iptables-restore (IPv6)")
        .contains("-I FORWARD 1 ")
        // x/a (node-1) is isolated at step 3 and accepts http from namespace y
        .contains("add pal-4-isolated-ingress 10.244.1.10 -exist")
        .containsPattern("add pal-4i-x\\.web_from_y\\S* 10\\.244\\.1\\.10,tcp:80 -exist");
  }

  /**
   * The eBPF backend's maps for the tour's end on node-1 (golden file): x/a admits http (port
   * 80, resolved on x/a) from namespace y's pods, y/b sends DNS to namespace z's pods only.
   */
  @Test
  void printsTheEbpfMapsWithBackendEbpf() throws IOException {
    assertThat(render("--scenario", TOUR, "--node", "node-1", "--backend", "ebpf")).isZero();
    assertThat(out.toString()).isEqualTo(Files.readString(
        Path.of("src/test/resources/cli/render-ebpf-tour.txt")));
  }

  /** The deny action is every endpoint's flag: REJECT shows on each, the rest is unchanged. */
  @Test
  void theEbpfMapsShowTheDenyAction() throws IOException {
    assertThat(render("--scenario", TOUR, "--node", "node-1", "--backend", "ebpf",
        "--deny-action", "REJECT")).isZero();
    assertThat(out.toString()).isEqualTo(Files.readString(
        Path.of("src/test/resources/cli/render-ebpf-tour.txt"))
        .replaceAll("(?m)^(\\S+ -> \\d+, .*), drop$", "$1, reject"))
        .contains("x/a -> 1, isolated ingress, node traffic allowed, denied ingress -> slot 1, "
            + "reject");
  }

  @Test
  void beforeAnyPolicyNoPodIsIsolated() {
    assertThat(render("--scenario", TOUR, "--step", "1", "--node", "node-1")).isZero();
    assertThat(out.toString()).doesNotContain("add pal-4-isolated-ingress");
  }

  @Test
  void theMarkBitIsConfigurable() {
    assertThat(render("--scenario", TOUR, "--step", "3", "--node", "node-1",
        "--mark-bit", "0x20000")).isZero();
    assertThat(out.toString()).contains("--set-xmark 0x20000/0x20000")
        .doesNotContain("0x10000");
  }

  @Test
  void anInstanceNamesItsChainsAndSets() {
    assertThat(render("--scenario", TOUR, "--step", "3", "--node", "node-1", "--instance", "b2"))
        .isZero();
    assertThat(out.toString()).contains("-j PALB2-FORWARD", "add palb2-4-isolated-ingress ")
        .doesNotContain("PALISADE-", " pal-");
    assertThat(render("--scenario", TOUR, "--node", "node-1", "--instance", "blue5"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("0 to 4 lowercase letters or digits");
  }

  @Test
  void aMarkBitThatIsNotOneFreeBitIsAUsageError() {
    assertThat(render("--scenario", TOUR, "--node", "node-1", "--mark-bit", "0x30000"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("exactly one bit");
    assertThat(render("--scenario", TOUR, "--node", "node-1", "--mark-bit", "0x4000"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("kube-proxy");
  }

  @Test
  void rejectsAStepOrNodeTheScenarioDoesNotHave() {
    assertThat(render("--scenario", TOUR, "--step", "9", "--node", "node-1")).isEqualTo(2);
    assertThat(err.toString()).contains("there is no step 9");
    assertThat(render("--scenario", TOUR, "--node", "node-7")).isEqualTo(2);
    assertThat(err.toString()).contains("no pod runs on node 'node-7'");
  }
}
