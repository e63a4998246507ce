package dev.palisade.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.io.BaseEncoding;
import com.google.common.net.InetAddresses;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class NflogMessagesTest {
  private static final Instant RECEIVED = Instant.parse("2026-12-01T18:30:00Z");
  /**
   * The netfilter header and attributes the kernel sent (x86_64, captured with tcpdump) for one
   * TCP SYN 127.0.0.1 -> 127.0.0.1:8080 logged by {@code -j NFLOG --nflog-group 7 --nflog-prefix
   * "palisade deny ingress x/a"} in a throwaway network namespace: packet header, prefix,
   * output interface, uid, gid, payload.
   */
  private static final byte[] PACKET = hex(
      "0200000708000100080003001e000a0070616c69736164652064656e7920696e677265737320782f61"
      + "000000080005000000000108000b000000000008000e0000000000400009004500003c96864000400"
      + "6a6337f0000017f000001ea801f90b221adb300000000a002ffd7fe3000000204ffd70402080a3a39"
      + "7137000000000103030a");

  @Test
  void readsGroupPrefixAndPacketOfWhatTheKernelSent() {
    byte[] buffer = concat(message(0x0400, PACKET), message(0x0400, PACKET));

    NflogMessages.Received received = NflogMessages.read(buffer, buffer.length, RECEIVED);

    assertThat(received.error()).isEmpty();
    assertThat(received.packets()).hasSize(2).allSatisfy(record -> {
      assertThat(record.group()).isEqualTo(7);
      assertThat(record.prefix()).isEqualTo("palisade deny ingress x/a");
      assertThat(record.time()).isEqualTo(RECEIVED);
      assertThat(PacketHeader.parse(record.payload())).contains(new PacketHeader(
          InetAddresses.forString("127.0.0.1"), InetAddresses.forString("127.0.0.1"), 6,
          OptionalInt.of(8080)));
    });
  }

  @Test
  void theKernelsTimestampWinsOverTheTimeOfReceipt() {
    // seconds 0x65000000, microseconds 123456, big-endian, as attribute 3
    byte[] stamped = concat(PACKET, hex("140003000000000065000000000000000001e240"));

    NflogRecord record = NflogMessages.read(message(0x0400, stamped),
        message(0x0400, stamped).length, RECEIVED).packets().get(0);

    assertThat(record.time()).isEqualTo(Instant.ofEpochSecond(0x65000000L, 123_456_000L));
  }

  @Test
  void anAcknowledgementReportsItsErrno() {
    byte[] busy = message(2, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(-16)
        .array());
    byte[] ok = message(2, new byte[4]);

    assertThat(NflogMessages.read(busy, busy.length, RECEIVED).error()).hasValue(16);
    assertThat(NflogMessages.read(ok, ok.length, RECEIVED).error()).isEmpty();
  }

  @Test
  void aMessageCutShortIsLeftAlone() {
    byte[] whole = message(0x0400, PACKET);

    assertThat(NflogMessages.read(whole, whole.length - 8, RECEIVED).packets()).isEmpty();
  }

  @Test
  void theRequestsBindTheGroupAndAskForPackets() {
    ByteBuffer bind = ByteBuffer.wrap(NflogMessages.bind(100, 1)).order(ByteOrder.nativeOrder());
    ByteBuffer copy = ByteBuffer.wrap(NflogMessages.copyPackets(100, 2))
        .order(ByteOrder.nativeOrder());

    // length, type (ULOG config), flags (request + ack), sequence
    assertThat(bind.getInt(0)).isEqualTo(bind.capacity()).isEqualTo(28);
    assertThat(bind.getShort(4)).isEqualTo((short) 0x0401);
    assertThat(bind.getShort(6)).isEqualTo((short) 5);
    assertThat(bind.getInt(8)).isEqualTo(1);
    // the group big-endian; attribute 1 (command) of length 5: bind
    assertThat(bind.order(ByteOrder.BIG_ENDIAN).getShort(18)).isEqualTo((short) 100);
    bind.order(ByteOrder.nativeOrder());
    assertThat(bind.getShort(20)).isEqualTo((short) 5);
    assertThat(bind.getShort(22)).isEqualTo((short) 1);
    assertThat(bind.get(24)).isEqualTo((byte) 1);
    // attribute 2 (mode) of length 10: copy range 0xffff big-endian, copy the packet
    assertThat(copy.getInt(0)).isEqualTo(32);
    assertThat(copy.getShort(20)).isEqualTo((short) 10);
    assertThat(copy.getShort(22)).isEqualTo((short) 2);
    assertThat(copy.order(ByteOrder.BIG_ENDIAN).getInt(24)).isEqualTo(0xffff);
    assertThat(copy.get(28)).isEqualTo((byte) 2);
  }

  @Test
  void readsIpv6AndIcmpHeaders() {
    byte[] v6 = new byte[48];
    v6[0] = 0x60;
    v6[6] = 17;
    System.arraycopy(InetAddresses.forString("fd00::1").getAddress(), 0, v6, 8, 16);
    System.arraycopy(InetAddresses.forString("fd00::2").getAddress(), 0, v6, 24, 16);
    v6[43] = 53;
    byte[] ping = Arrays.copyOf(hex("4500001c000000004001000a0a0000010a000002"), 21);
    ping[20] = 8;

    assertThat(PacketHeader.parse(v6).map(PacketHeader::describeTraffic)).contains("UDP/53");
    assertThat(PacketHeader.parse(ping).map(PacketHeader::describeTraffic))
        .contains("ICMP type 8");
    assertThat(PacketHeader.parse(new byte[10])).isEmpty();
  }

  /** A netlink message of {@code type} around {@code body}, padded to 4 bytes. */
  private static byte[] message(int type, byte[] body) {
    int length = 16 + body.length;
    ByteBuffer message = ByteBuffer.allocate((length + 3) & ~3).order(ByteOrder.nativeOrder());
    message.putInt(length).putShort((short) type).putShort((short) 0).putInt(0).putInt(0)
        .put(body);
    return message.array();
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  private static byte[] hex(String text) {
    return BaseEncoding.base16().lowerCase().decode(text);
  }
}
