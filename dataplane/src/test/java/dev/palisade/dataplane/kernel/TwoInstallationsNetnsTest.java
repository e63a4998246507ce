package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.RuleGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Palisade installations on one node (two Helm releases) own disjoint chains and sets:
 * neither removes or rewrites the other's, and both keep their jump at the top of FORWARD
 * without pushing the other's down on every sync.
 */
@Tag("kernel")
class TwoInstallationsNetnsTest {
  private static final Installation OTHER = new Installation("b2");

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(1);

  private static DesiredState compiled(Installation owner) {
    return NodeCompiler.compile(new RuleGraph(), "node-1",
        DataplaneSettings.DEFAULTS.withInstallation(owner));
  }

  @Test
  void twoInstallationsNeitherFightNorCleanUpEachOther() {
    NetnsLab lab = labs.lab();
    KernelWriter first = KernelWriters.inLab(lab);
    KernelWriter second = KernelWriters.inLab(lab, OTHER);

    assertThat(first.apply(compiled(Installation.DEFAULT)).succeeded()).isTrue();
    assertThat(second.apply(compiled(OTHER)).succeeded()).isTrue();

    assertThat(first.apply(compiled(Installation.DEFAULT)).written())
        .as("the other installation's jump above ours is not a reason to move ours")
        .isEqualTo(WriteCounts.NOTHING);
    assertThat(second.apply(compiled(OTHER)).written()).isEqualTo(WriteCounts.NOTHING);
    String save = lab.inNode("iptables-save", "-t", "filter");
    assertThat(save).contains("-j PALISADE-FORWARD").contains("-j PALB2-FORWARD");
    assertThat(lab.inNode("ipset", "list", "-n")).contains("pal-4-isolated-ingress")
        .contains("palb2-4-isolated-ingress");

    ApplyResult cleanup = first.cleanup();

    assertThat(cleanup.succeeded()).isTrue();
    assertThat(cleanup.leftovers()).isEmpty();
    assertThat(lab.inNode("iptables-save", "-t", "filter")).doesNotContain("PALISADE-")
        .contains("-j PALB2-FORWARD");
    assertThat(lab.inNode("ipset", "list", "-n")).doesNotContain("pal-4-isolated-ingress")
        .contains("palb2-4-isolated-ingress");
    assertThat(second.apply(compiled(OTHER)).written()).isEqualTo(WriteCounts.NOTHING);
  }
}
