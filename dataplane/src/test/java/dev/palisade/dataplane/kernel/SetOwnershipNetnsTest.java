package dev.palisade.dataplane.kernel;

import static dev.palisade.dataplane.kernel.DesiredStates.rule;
import static dev.palisade.dataplane.state.IpSetType.HASH_IP;
import static dev.palisade.model.IpFamily.V4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A set's name alone does not make it Palisade's: a foreign {@code pal-} set survives syncs and
 * cleanup. And a Palisade set that a foreign rule still uses cannot be destroyed; that must not
 * fail the sync or cleanup: the rest is applied and the set is named.
 */
@Tag("kernel")
class SetOwnershipNetnsTest {
  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(1);

  private static final DesiredStates WITH_WEB = DesiredStates.builder()
      .set("pal-web", HASH_IP, V4, "10.99.1.11")
      .chain(V4, "PALISADE-FORWARD", rule("-m set --match-set pal-web src -j RETURN"))
      .hook(V4, "FORWARD", 1, "PALISADE-FORWARD");

  private static final DesiredStates WITH_DB = DesiredStates.builder()
      .set("pal-db", HASH_IP, V4, "10.99.1.12")
      .chain(V4, "PALISADE-FORWARD", rule("-m set --match-set pal-db dst -j RETURN"))
      .hook(V4, "FORWARD", 1, "PALISADE-FORWARD");

  private NetnsLab lab;
  private KernelWriter writer;

  private void start() {
    lab = labs.lab();
    writer = KernelWriters.inLab(lab);
  }

  private String setNames() {
    return lab.inNode("ipset", "list", "-n");
  }

  @Test
  void aForeignSetWithAPalisadeNameSurvivesSyncsAndCleanup() {
    start();
    lab.inNode("ipset", "create", "pal-foreign", "hash:ip");
    lab.inNode("ipset", "add", "pal-foreign", "192.0.2.7");

    assertThat(writer.apply(WITH_WEB.build()).succeeded()).isTrue();
    assertThat(setNames()).contains("pal-foreign").contains("pal-web");
    ApplyResult cleanup = writer.cleanup();

    assertThat(cleanup.succeeded()).isTrue();
    assertThat(cleanup.leftovers()).isEmpty();
    assertThat(setNames()).contains("pal-foreign").doesNotContain("pal-web");
    assertThat(lab.inNode("ipset", "list", "pal-foreign")).contains("192.0.2.7");
  }

  @Test
  void aSetAForeignRuleUsesDoesNotBlockTheSyncAndIsNamed() {
    start();
    assertThat(writer.apply(WITH_WEB.build()).succeeded()).isTrue();
    lab.inNode("iptables", "-A", "INPUT", "-m", "set", "--match-set", "pal-web", "src",
        "-j", "ACCEPT");

    ApplyResult result = writer.apply(WITH_DB.build());

    assertThat(result.succeeded()).as("apply: %s", result).isTrue();
    assertThat(result.attempts()).as("a refused destroy is not retried").isEqualTo(1);
    assertThat(result.leftovers()).singleElement().satisfies(left -> {
      assertThat(left.object()).isEqualTo("set pal-web");
      assertThat(left.heldBy()).contains("in use");
    });
    assertThat(lab.inNode("iptables", "-S", "PALISADE-FORWARD")).contains("pal-db");

    ApplyResult cleanup = writer.cleanup();
    assertThat(cleanup.succeeded()).isTrue();
    assertThat(cleanup.leftovers()).extracting(Leftover::object).containsExactly("set pal-web");
    assertThat(setNames()).doesNotContain("pal-db");

    lab.inNode("iptables", "-D", "INPUT", "-m", "set", "--match-set", "pal-web", "src",
        "-j", "ACCEPT");
    ApplyResult released = writer.cleanup();
    assertThat(released.leftovers()).isEmpty();
    assertThat(setNames()).doesNotContain("pal-web");
  }
}
