package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.RuleGraph;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A node whose kube-proxy uses one iptables backend must get Palisade's rules in that backend:
 * the node namespace is given kube-proxy's canary chain in one backend, and the writer for the
 * machine must write there and nowhere else.
 */
@Tag("kernel")
class IptablesBackendNetnsTest {
  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(1);

  @ParameterizedTest(name = "kube-proxy uses {0}")
  @CsvSource({"iptables-legacy, iptables-legacy-save, iptables-nft-save",
      "iptables-nft, iptables-nft-save, iptables-legacy-save"})
  void palisadeWritesToTheBackendKubeProxyUses(String kubeProxysIptables, String used,
      String other) {
    NetnsLab lab = labs.lab();
    lab.inNode(kubeProxysIptables, "-t", "mangle", "-N", "KUBE-IPTABLES-HINT");
    KernelWriter writer = KernelWriter.forMachine(lab.nodeRunner(),
        POSIXFactory.getNativePOSIX(), Sleeper.system(), Installation.DEFAULT);

    ApplyResult result = writer.apply(
        NodeCompiler.compile(new RuleGraph(), "node-1", DataplaneSettings.DEFAULTS));

    assertThat(result.succeeded()).as("apply: %s", result).isTrue();
    assertThat(lab.inNode(used, "-t", "filter")).contains("-A FORWARD")
        .contains("-j PALISADE-FORWARD");
    assertThat(lab.inNode(other, "-t", "filter")).doesNotContain("PALISADE-");
  }
}
