package dev.palisade.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import com.google.common.net.InetAddresses;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class NflogCaptureTest {
  /**
   * What {@code tcpdump -i nflog:7 -w -} wrote (tcpdump 4.99.3, x86_64) for one TCP SYN from
   * 127.0.0.1 to 127.0.0.1:8080 logged by {@code -j NFLOG --nflog-group 7 --nflog-prefix
   * "palisade deny ingress x/a"} in a throwaway network namespace.
   */
  static final byte[] CAPTURE = BaseEncoding.base16().lowerCase().decode(
      "d4c3b2a102000400000000000000000000000400ef0000000c110f6b95a9000084000000840000000200"
      + "000708000100080003001e000a0070616c69736164652064656e7920696e677265737320782f61000000"
      + "080005000000000108000b000000000008000e0000000000400009004500003c968640004006a6337f00"
      + "00017f000001ea801f90b221adb300000000a002ffd7fe3000000204ffd70402080a3a39713700000000"
      + "0103030a");

  @Test
  void readsGroupPrefixTimeAndPacketOfTcpdumpsOutput() throws IOException {
    NflogCapture capture = NflogCapture.open(new ByteArrayInputStream(CAPTURE));

    NflogRecord record = capture.next().orElseThrow();

    assertThat(record.group()).isEqualTo(7);
    assertThat(record.prefix()).isEqualTo("palisade deny ingress x/a");
    assertThat(record.time()).isEqualTo(Instant.ofEpochSecond(0x6b0f110cL, 0xa995L * 1000));
    assertThat(PacketHeader.parse(record.payload())).contains(new PacketHeader(
        InetAddresses.forString("127.0.0.1"), InetAddresses.forString("127.0.0.1"), 6,
        OptionalInt.of(8080)));
    assertThat(capture.next()).isEmpty();
  }

  @Test
  void theKernelsTimestampWinsOverTheCaptureTime() throws IOException {
    // CAPTURE with a timestamp attribute (length 20, type 3: seconds, microseconds) in front of
    // the prefix; the pcap record's lengths grow by 20.
    byte[] timestamp = BaseEncoding.base16().lowerCase().decode(
        "140003000000000065000000" + "000000000001e240");
    int attributes = 24 + 16 + 4 + 8;
    byte[] stamped = new byte[CAPTURE.length + timestamp.length];
    System.arraycopy(CAPTURE, 0, stamped, 0, attributes);
    System.arraycopy(timestamp, 0, stamped, attributes, timestamp.length);
    System.arraycopy(CAPTURE, attributes, stamped, attributes + timestamp.length,
        CAPTURE.length - attributes);
    stamped[32] += 20;
    stamped[36] += 20;

    NflogRecord record = NflogCapture.open(new ByteArrayInputStream(stamped)).next().orElseThrow();

    assertThat(record.time()).isEqualTo(Instant.ofEpochSecond(0x65000000L, 123_456_000L));
    assertThat(record.prefix()).isEqualTo("palisade deny ingress x/a");
  }

  @Test
  void aStreamCutInsideAPacketEndsWithAnError() throws IOException {
    NflogCapture capture = NflogCapture.open(new ByteArrayInputStream(
        Arrays.copyOf(CAPTURE, CAPTURE.length - 10)));

    assertThatThrownBy(capture::next).isInstanceOf(IOException.class);
  }

  @Test
  void refusesCapturesOfOtherLinkTypes() {
    byte[] ethernet = CAPTURE.clone();
    ethernet[20] = 1;

    assertThatThrownBy(() -> NflogCapture.open(new ByteArrayInputStream(ethernet)))
        .isInstanceOf(IOException.class).hasMessageContaining("link type is 1");
    assertThatThrownBy(() -> NflogCapture.open(new ByteArrayInputStream(new byte[24])))
        .isInstanceOf(IOException.class).hasMessageContaining("not a pcap stream");
  }

  @Test
  void readsIpv6AndIcmpHeaders() {
    byte[] v6 = new byte[48];
    v6[0] = 0x60;
    v6[6] = 17;
    System.arraycopy(InetAddresses.forString("fd00::1").getAddress(), 0, v6, 8, 16);
    System.arraycopy(InetAddresses.forString("fd00::2").getAddress(), 0, v6, 24, 16);
    v6[42] = 0;
    v6[43] = 53;
    byte[] ping = Arrays.copyOf(BaseEncoding.base16().lowerCase().decode(
        "4500001c000000004001000a0a0000010a000002"), 21);
    ping[20] = 8;

    assertThat(PacketHeader.parse(v6).map(PacketHeader::describeTraffic)).contains("UDP/53");
    assertThat(PacketHeader.parse(ping).map(PacketHeader::describeTraffic))
        .contains("ICMP type 8");
    assertThat(PacketHeader.parse(new byte[10])).isEqualTo(Optional.empty());
  }
}
