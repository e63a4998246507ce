package dev.palisade.dataplane.kernel;

import static dev.palisade.dataplane.kernel.DesiredStates.rule;
import static dev.palisade.dataplane.state.IpSetType.HASH_IP;
import static dev.palisade.model.IpFamily.V4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.lab.NetnsLabExtension;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A set holds at most its {@code maxelem} members (ipset's default is 65,536): a peer selecting
 * every pod of a larger cluster must still fit, and a set that outgrows its size is replaced by
 * a larger one while the rule that uses it keeps matching.
 */
@Tag("kernel")
class SetSizingNetnsTest {
  private static final int LARGE = 70_000;

  @RegisterExtension final NetnsLabExtension labs = new NetnsLabExtension(1);

  /** A rule in PALISADE-FORWARD that matches the set, so the set is in use while it grows. */
  private static DesiredStates usingSetOf(int members) {
    String[] addresses = IntStream.range(0, members)
        .mapToObj(i -> "10." + (100 + (i >> 16)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff))
        .toArray(String[]::new);
    return DesiredStates.builder()
        .set("pal-all-pods", HASH_IP, V4, addresses)
        .chain(V4, "PALISADE-FORWARD", rule("-m set --match-set pal-all-pods src -j RETURN"))
        .hook(V4, "FORWARD", 1, "PALISADE-FORWARD");
  }

  private static String header(NetnsLab lab) {
    return lab.inNode("ipset", "list", "-t", "pal-all-pods");
  }

  @Test
  void aSetOfMoreThan65536MembersIsCreatedLargeEnough() {
    NetnsLab lab = labs.lab();

    ApplyResult result = KernelWriters.inLab(lab).apply(usingSetOf(LARGE).build());

    assertThat(result.succeeded()).as("apply: %s", result).isTrue();
    assertThat(header(lab)).contains("maxelem 262144").contains("Number of entries: " + LARGE);
  }

  @Test
  void aSetThatOutgrowsItsSizeIsReplacedAndTheRuleFollows() {
    NetnsLab lab = labs.lab();
    KernelWriter writer = KernelWriters.inLab(lab);
    assertThat(writer.apply(usingSetOf(10).build()).succeeded()).isTrue();
    assertThat(header(lab)).contains("maxelem 65536");

    ApplyResult grown = writer.apply(usingSetOf(LARGE).build());

    assertThat(grown.succeeded()).as("apply: %s", grown).isTrue();
    assertThat(grown.written().setsReplaced()).isEqualTo(1);
    assertThat(header(lab)).contains("maxelem 262144").contains("Number of entries: " + LARGE);
    assertThat(lab.inNode("iptables-save", "-t", "filter"))
        .contains("--match-set pal-all-pods src");
    assertThat(writer.apply(usingSetOf(LARGE).build()).written())
        .isEqualTo(WriteCounts.NOTHING);
  }
}
