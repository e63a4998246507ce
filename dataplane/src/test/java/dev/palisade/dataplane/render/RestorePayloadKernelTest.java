package dev.palisade.dataplane.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.compile.GoldenScenarioPayloads;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.HookSpec;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.model.IpFamily;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restores every golden scenario's payloads into a throwaway network namespace and reads them
 * back: the kernel must accept them and {@code iptables-save} / {@code ipset save} must print
 * every rule, hook and member exactly as rendered, or the writer would see a difference on
 * every sync. Needs root; fails (does not skip) without it.
 */
@Tag("kernel")
class RestorePayloadKernelTest {

  static List<String> scenarios() {
    return GoldenScenarioPayloads.names();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void theKernelPrintsBackExactlyWhatWasRendered(String scenario) throws Exception {
    DesiredState state = GoldenScenarioPayloads.compile(scenario);
    String namespace = "paltest-render-" + ProcessHandle.current().pid() + "-"
        + Integer.toHexString(scenario.hashCode());
    run(List.of("ip", "netns", "add", namespace), "");
    try {
      for (FamilyState family : List.of(state.v4(), state.v6())) {
        RestorePayload payload = RestorePayload.of(family);
        String tool = family.family() == IpFamily.V4 ? "iptables" : "ip6tables";
        run(inNamespace(namespace, "ipset", "restore"), payload.ipsetRestore());
        run(inNamespace(namespace, tool + "-restore", "--noflush"), payload.iptablesRestore());
        String saved = run(inNamespace(namespace, tool + "-save", "-t", "filter"), "");
        assertThat(lines(saved, "-A PALISADE-")).as("%s chains", tool)
            .containsExactlyElementsOf(expectedRules(family));
        assertThat(lines(saved, "-A FORWARD", "-A INPUT", "-A OUTPUT")).as("%s hooks", tool)
            .containsExactlyElementsOf(expectedHooks(family));
      }
      String sets = run(inNamespace(namespace, "ipset", "save"), "");
      assertThat(lines(sets, "add ")).as("set members").containsExactlyInAnyOrderElementsOf(
          expectedMembers(state));
    } finally {
      run(List.of("ip", "netns", "del", namespace), "");
    }
  }

  private static List<String> expectedRules(FamilyState family) {
    List<String> rules = new ArrayList<>();
    for (ChainSpec chain : family.chains().values()) {
      chain.rules().forEach(rule -> rules.add("-A " + chain.name() + " " + rule));
    }
    return rules;
  }

  /** iptables-save prints the built-in chains in this order. */
  private static final List<String> BUILTIN_ORDER = List.of("INPUT", "FORWARD", "OUTPUT");

  private static List<String> expectedHooks(FamilyState family) {
    return family.hooks().stream()
        .sorted(Comparator.comparing((HookSpec hook) -> BUILTIN_ORDER.indexOf(hook.builtinChain())))
        .map(hook -> "-A " + hook.builtinChain() + " " + hook.rule()).toList();
  }

  private static List<String> expectedMembers(DesiredState state) {
    List<String> members = new ArrayList<>();
    for (FamilyState family : List.of(state.v4(), state.v6())) {
      for (Map.Entry<String, IpSetSpec> set : family.sets().entrySet()) {
        set.getValue().members().forEach(member -> members.add("add " + set.getKey() + " "
            + member));
      }
    }
    return members;
  }

  private static List<String> lines(String text, String... prefixes) {
    return text.lines().filter(line -> List.of(prefixes).stream().anyMatch(line::startsWith))
        .toList();
  }

  private static List<String> inNamespace(String namespace, String... command) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    argv.addAll(List.of(command));
    return argv;
  }

  private static String run(List<String> argv, String stdin)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(argv + " did not finish in 30 s");
    }
    assertThat(process.exitValue()).as("%s failed:%n%s%nstdin:%n%s", argv, output, stdin)
        .isZero();
    return output;
  }
}
