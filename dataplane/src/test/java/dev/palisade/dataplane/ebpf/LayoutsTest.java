package dev.palisade.dataplane.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.Cidr;
import dev.palisade.model.Direction;
import dev.palisade.model.Protocol;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bytes the program reads (palisade_tc.bpf.c's structs). The expected hex is written for a
 * little-endian host (x86-64, arm64: every platform the jar ships for); ports and addresses are
 * in network order on any host.
 */
class LayoutsTest {
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

  @BeforeAll
  static void littleEndianHost() {
    assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void verdictKeyOfOnePort() {
    VerdictKey key = new VerdictKey(2, 7, Direction.INGRESS, Traffic.port(Protocol.TCP, 80));

    byte[] bytes = Layouts.verdictKey(key);

    // prefixlen 96 | endpoint 2 | identity 7 | direction 0 | protocol 6 | port 80 big-endian
    assertThat(HEX.formatHex(bytes)).isEqualTo("60 00 00 00 02 00 00 00 07 00 00 00 00 06 00 50");
    assertThat(Layouts.verdictKeyOf(bytes)).isEqualTo(key);
  }

  @Test
  void verdictKeyOfEveryProtocolStopsBeforeTheProtocol() {
    VerdictKey key = new VerdictKey(0x01020304, 9, Direction.EGRESS, Traffic.everything());

    byte[] bytes = Layouts.verdictKey(key);

    assertThat(HEX.formatHex(bytes)).isEqualTo("48 00 00 00 04 03 02 01 09 00 00 00 01 00 00 00");
    assertThat(Layouts.verdictKeyOf(bytes)).isEqualTo(key);
  }

  @Test
  void verdictKeyOfAPortBlock() {
    VerdictKey key = new VerdictKey(1, 1, Direction.INGRESS,
        Traffic.range(Protocol.UDP, 8192, 16383).get(0));

    byte[] bytes = Layouts.verdictKey(key);

    assertThat(HEX.formatHex(bytes)).isEqualTo("53 00 00 00 01 00 00 00 01 00 00 00 00 11 20 00");
    assertThat(Layouts.verdictKeyOf(bytes)).isEqualTo(key);
    assertThat(Layouts.verdictValue(65535)).containsExactly(0xff, 0xff, 0, 0);
  }

  @Test
  void identityKeys() {
    assertThat(HEX.formatHex(Layouts.identityKey(Cidr.parse("10.99.1.0/24"))))
        .isEqualTo("18 00 00 00 0a 63 01 00");
    byte[] v6 = Layouts.identityKey(Cidr.parse("fd00:99::/64"));
    assertThat(HEX.formatHex(v6)).isEqualTo("40 00 00 00 fd 00 00 99 00 00 00 00 00 00 00 00 00 00 00 00");
    assertThat(Layouts.identityKeyOf(v6)).isEqualTo(Cidr.parse("fd00:99::/64"));
  }

  @Test
  void endpoints() {
    EbpfEndpoint endpoint = new EbpfEndpoint(300, true, false, false, false, 7, 0);

    assertThat(HEX.formatHex(Layouts.endpointKey(17))).isEqualTo("11 00 00 00");
    // id, flags, denied slots of ingress and egress
    assertThat(HEX.formatHex(Layouts.endpointValue(endpoint)))
        .isEqualTo("2c 01 00 00 01 00 00 00 07 00 00 00 00 00 00 00");
    assertThat(Layouts.endpointOf(Layouts.endpointValue(endpoint))).isEqualTo(endpoint);
    EbpfEndpoint egressOnly = new EbpfEndpoint(1, false, true, false, false, 0, 65535);
    assertThat(Layouts.endpointOf(Layouts.endpointValue(egressOnly)).flags()).isEqualTo(2);
    assertThat(Layouts.endpointOf(Layouts.endpointValue(egressOnly))).isEqualTo(egressOnly);
    EbpfEndpoint nodeAllowed = new EbpfEndpoint(2, true, true, true, false, 1, 2);
    assertThat(HEX.formatHex(Layouts.endpointValue(nodeAllowed)))
        .isEqualTo("02 00 00 00 07 00 00 00 01 00 00 00 02 00 00 00");
    assertThat(Layouts.endpointOf(Layouts.endpointValue(nodeAllowed))).isEqualTo(nodeAllowed);
  }

  @Test
  void rejectIsFlagBit3() {
    EbpfEndpoint rejecting = new EbpfEndpoint(300, true, true, false, true, 0, 0);

    assertThat(HEX.formatHex(Layouts.endpointValue(rejecting)))
        .isEqualTo("2c 01 00 00 0b 00 00 00 00 00 00 00 00 00 00 00");
    assertThat(Layouts.endpointOf(Layouts.endpointValue(rejecting))).isEqualTo(rejecting);
    EbpfEndpoint open = new EbpfEndpoint(2, false, false, true, true, 0, 0);
    assertThat(Layouts.endpointOf(Layouts.endpointValue(open))).isEqualTo(open);
  }
}
