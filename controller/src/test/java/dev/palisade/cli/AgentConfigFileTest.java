package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.DenyAction;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.Cidr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The agent reads exactly the settings file the Helm chart renders: every key is an agent
 * option and every value parses. The two files are the chart test's expectations of what
 * {@code helm template} writes, so a drift between chart and agent fails here.
 */
class AgentConfigFileTest {
  private static final Path CHART_DEFAULTS =
      Path.of("src/test/resources/dev/palisade/helm/agent-default.properties");
  private static final Path CHART_NON_DEFAULTS =
      Path.of("src/test/resources/dev/palisade/helm/agent-non-default.properties");

  private static AgentCommand parse(Path config, Map<String, String> environment,
      String... args) {
    AgentCommand agent = new AgentCommand();
    CommandLine commandLine = new CommandLine(agent);
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--config=" + config);
    SettingsDefaults defaults = SettingsDefaults.from(all, environment);
    commandLine.setDefaultValueProvider(defaults);
    commandLine.parseArgs(all.toArray(String[]::new));
    assertThat(defaults.unknownKeys(commandLine.getCommandSpec()))
        .as("keys of %s that are no agent option", config).isEmpty();
    return agent;
  }

  @Test
  void theChartsNonDefaultSettingsAllReachTheAgent() {
    AgentCommand agent = parse(CHART_NON_DEFAULTS, Map.of(), "--node-name=n1");

    assertThat(agent.minSyncInterval).isEqualTo(Duration.ofMillis(250));
    assertThat(agent.maxSyncInterval).isEqualTo(Duration.ofHours(1));
    assertThat(agent.driftCheckInterval).isEqualTo(Duration.ofSeconds(30));
    assertThat(agent.retryInterval).isEqualTo(Duration.ofSeconds(2));
    assertThat(agent.healthPort).isEqualTo(19301);
    assertThat(agent.purgeConntrack).isTrue();
    DataplaneSettings settings = agent.dataplane.settings(
        () -> List.of(Cidr.parse("10.244.1.0/24")));
    assertThat(settings.denyAction()).isEqualTo(DenyAction.REJECT);
    assertThat(settings.allowNodeToPods()).isFalse();
    assertThat(settings.denyLog()).hasValue(new DataplaneSettings.DenyLog(7, 5, 10));
    assertThat(settings.failClosedPodCidrs()).containsExactly(Cidr.parse("10.244.1.0/24"));
    assertThat(settings.markBit()).isEqualTo(0x20000);
    assertThat(agent.instance.installation).isEqualTo(new Installation("b2"));
  }

  @Test
  void theChartsDefaultsAreTheAgentsDefaults() {
    AgentCommand fromChart = parse(CHART_DEFAULTS, Map.of(), "--node-name=n1");
    AgentCommand plain = new AgentCommand();
    new CommandLine(plain).parseArgs("--node-name=n1");

    assertThat(fromChart.minSyncInterval).isEqualTo(plain.minSyncInterval);
    assertThat(fromChart.maxSyncInterval).isEqualTo(plain.maxSyncInterval);
    assertThat(fromChart.driftCheckInterval).isEqualTo(plain.driftCheckInterval);
    assertThat(fromChart.retryInterval).isEqualTo(plain.retryInterval);
    assertThat(fromChart.healthPort).isEqualTo(plain.healthPort);
    assertThat(fromChart.purgeConntrack).isEqualTo(plain.purgeConntrack);
    assertThat(fromChart.dataplane.settings()).isEqualTo(plain.dataplane.settings());
    assertThat(fromChart.instance.installation).isEqualTo(plain.instance.installation);
  }

  @Test
  void aFlagBeatsTheEnvironmentWhichBeatsTheFile() {
    AgentCommand agent = parse(CHART_NON_DEFAULTS, Map.of("PALISADE_HEALTH_PORT", "9400",
        "PALISADE_RETRY_INTERVAL", "7s"), "--node-name=n1", "--health-port=9500");

    assertThat(agent.healthPort).isEqualTo(9500);
    assertThat(agent.retryInterval).isEqualTo(Duration.ofSeconds(7));
    assertThat(agent.maxSyncInterval).isEqualTo(Duration.ofHours(1));
    assertThat(agent.driftCheckInterval).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aMisspeltKeyIsReportedNotIgnored(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("agent.properties"), "deny-actoin=REJECT\n");
    AgentCommand agent = new AgentCommand();
    CommandLine commandLine = new CommandLine(agent);
    SettingsDefaults defaults = SettingsDefaults.from(List.of("--config=" + config), Map.of());
    commandLine.parseArgs("--node-name=n1", "--config=" + config);

    assertThat(defaults.unknownKeys(commandLine.getCommandSpec())).containsExactly("deny-actoin");
  }

  @Test
  void failClosedWithoutAnyPodCidrIsRefused() {
    AgentCommand agent = new AgentCommand();
    new CommandLine(agent).parseArgs("--node-name=n1", "--fail-closed=true");

    assertThatThrownBy(() -> agent.dataplane.settings(List::of))
        .hasMessageContaining("--pod-cidr");
  }
}
