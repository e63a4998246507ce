package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.IpFamily;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IptablesBackendTest {
  private static final String EMPTY_FILTER = """
      *filter
      :INPUT ACCEPT [0:0]
      :FORWARD ACCEPT [0:0]
      :OUTPUT ACCEPT [0:0]
      COMMIT
      """;
  private static final String KUBE_PROXY_MANGLE = """
      *mangle
      :PREROUTING ACCEPT [0:0]
      :KUBE-IPTABLES-HINT - [0:0]
      COMMIT
      """;
  private static final String FOUR_RULES = """
      *filter
      :FORWARD ACCEPT [0:0]
      -A FORWARD -s 10.0.0.1/32 -j ACCEPT
      -A FORWARD -s 10.0.0.2/32 -j ACCEPT
      -A FORWARD -s 10.0.0.3/32 -j ACCEPT
      -A FORWARD -s 10.0.0.4/32 -j ACCEPT
      COMMIT
      """;

  @Test
  void theBackendWithKubernetesCanaryChainsWins() {
    assertThat(IptablesBackend.choose(EMPTY_FILTER, KUBE_PROXY_MANGLE))
        .isEqualTo(IptablesBackend.LEGACY);
    assertThat(IptablesBackend.choose(KUBE_PROXY_MANGLE, FOUR_RULES + KUBE_PROXY_MANGLE))
        .as("nf_tables canaries are checked first").isEqualTo(IptablesBackend.NFT);
  }

  @Test
  void withoutCanariesTheBackendWithMoreRulesWinsAndATieIsNfTables() {
    assertThat(IptablesBackend.choose(EMPTY_FILTER, FOUR_RULES)).isEqualTo(IptablesBackend.LEGACY);
    assertThat(IptablesBackend.choose(FOUR_RULES, EMPTY_FILTER)).isEqualTo(IptablesBackend.NFT);
    assertThat(IptablesBackend.choose(EMPTY_FILTER, EMPTY_FILTER)).isEqualTo(IptablesBackend.NFT);
  }

  @Test
  void aMissingVariantIsNotChosenAndWithoutEitherThePlainCommandsAreUsed() {
    assertThat(IptablesBackend.detect(onlyCommands(Set.of("iptables-legacy-save",
        "ip6tables-legacy-save")))).isEqualTo(IptablesBackend.LEGACY);
    assertThat(IptablesBackend.detect(onlyCommands(Set.of())))
        .isEqualTo(IptablesBackend.ONLY_ONE);
  }

  @Test
  void commandsNameTheBackendsVariant() {
    assertThat(IptablesBackend.LEGACY.command(IpFamily.V6, "-restore"))
        .isEqualTo("ip6tables-legacy-restore");
    assertThat(IptablesBackend.ONLY_ONE.command(IpFamily.V4, "-save"))
        .isEqualTo("iptables-save");
  }

  /** A machine on which only these commands exist; each prints an empty filter table. */
  private static CommandRunner onlyCommands(Set<String> installed) {
    return new CommandRunner() {
      @Override
      public CommandResult run(List<String> argv, String stdin) {
        return installed.contains(argv.get(0)) ? new CommandResult(0, EMPTY_FILTER, "")
            : new CommandResult(127, "", argv.get(0) + ": not found");
      }
    };
  }
}
