package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.NodeCompiler;
import dev.palisade.dataplane.lab.LabPod;
import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import dev.palisade.model.IpFamily;
import dev.palisade.model.RuleGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PALISADE-FORWARD sits at position 1 of FORWARD, so whatever it accepts skips every rule an
 * admin adds to FORWARD later. It must only take away what policy denies: an established flow
 * of pods no policy isolates goes on through the rest of FORWARD.
 */
@Tag("kernel")
class ForwardContractNetnsTest {
  private static final int PORT = 80;

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(3);

  @Test
  void anAdminRuleAfterPalisadesJumpStillSeesEstablishedTraffic() {
    NetnsLab lab = labs.lab();
    LabPod client = lab.pod(0);
    LabPod server = lab.pod(1);
    LabPod other = lab.pod(2);
    lab.serve(server, PORT);
    lab.serve(other, PORT);
    KernelWriter writer = KernelWriters.inLab(lab);
    ApplyResult applied = writer.apply(
        NodeCompiler.compile(new RuleGraph(), "node-1", DataplaneSettings.DEFAULTS));
    assertThat(applied.succeeded()).as("apply: %s", applied).isTrue();

    // The admin cuts the server's replies to the client, below Palisade's jump.
    lab.inNode("iptables", "-A", "FORWARD", "-s", server.v4().getHostAddress(),
        "-d", client.v4().getHostAddress(), "-m", "conntrack", "--ctstate", "ESTABLISHED",
        "-j", "DROP");

    assertThat(lab.tcpReaches(client, server, PORT, IpFamily.V4))
        .as("the server's SYN-ACK is ESTABLISHED: the admin's DROP must see it").isFalse();
    assertThat(lab.tcpReaches(client, other, PORT, IpFamily.V4)).isTrue();
  }
}
