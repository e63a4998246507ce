package dev.palisade.logs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The netlink messages of nfnetlink_log (linux/netfilter/nfnetlink_log.h), in the host's byte
 * order as netlink wants them: the two configuration requests that make a socket the listener of
 * an NFLOG group, and the reading of what the kernel sends back (packets, acknowledgements).
 * Pure: bytes in, bytes out.
 *
 * <p>A message is a netlink header (length, type, flags, sequence, port: 16 bytes), the netfilter
 * header (address family, version, the group big-endian: 4 bytes) and attributes (length and type
 * 2 bytes each, the value, padded to 4 bytes). A packet carries the logging rule's prefix
 * (attribute 10, NUL-terminated), the packet from its IP header (attribute 9) and, when the kernel
 * stamped the packet, its time (attribute 3: seconds and microseconds, big-endian).
 */
final class NflogMessages {
  /** NFNL_SUBSYS_ULOG << 8: nfnetlink_log's message types. */
  private static final int SUBSYSTEM = 4 << 8;
  private static final int MESSAGE_PACKET = SUBSYSTEM;
  private static final int MESSAGE_CONFIG = SUBSYSTEM | 1;
  private static final int NLMSG_ERROR = 2;
  private static final int NLM_F_REQUEST = 1;
  private static final int NLM_F_ACK = 4;
  private static final int HEADER_LENGTH = 16;
  private static final int NETFILTER_HEADER_LENGTH = 4;
  private static final int CONFIG_COMMAND = 1;
  private static final int CONFIG_MODE = 2;
  private static final int COMMAND_BIND = 1;
  private static final int COPY_PACKET = 2;
  /** The first 64 KiB of a packet: every header a line shows, without copying jumbo payloads. */
  private static final int COPY_RANGE = 0xffff;
  private static final int ATTRIBUTE_TIMESTAMP = 3;
  private static final int ATTRIBUTE_PAYLOAD = 9;
  private static final int ATTRIBUTE_PREFIX = 10;

  /** What one buffer from the socket held. */
  record Received(List<NflogRecord> packets, OptionalInt error) {}

  private NflogMessages() {}

  /** Makes the socket the listener of {@code group} (fails with EBUSY when another is). */
  static byte[] bind(int group, int sequence) {
    return config(group, sequence, CONFIG_COMMAND, new byte[] {COMMAND_BIND});
  }

  /** Asks for the packets themselves, not only their metadata. */
  static byte[] copyPackets(int group, int sequence) {
    ByteBuffer mode = ByteBuffer.allocate(6).order(ByteOrder.BIG_ENDIAN);
    mode.putInt(COPY_RANGE).put((byte) COPY_PACKET).put((byte) 0);
    return config(group, sequence, CONFIG_MODE, mode.array());
  }

  private static byte[] config(int group, int sequence, int attributeType, byte[] value) {
    int attributeLength = 4 + value.length;
    int length = HEADER_LENGTH + NETFILTER_HEADER_LENGTH + align(attributeLength);
    ByteBuffer message = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
    message.putInt(length).putShort((short) MESSAGE_CONFIG)
        .putShort((short) (NLM_F_REQUEST | NLM_F_ACK)).putInt(sequence).putInt(0);
    // AF_UNSPEC, version 0, the group big-endian
    message.put((byte) 0).put((byte) 0).order(ByteOrder.BIG_ENDIAN).putShort((short) group)
        .order(ByteOrder.nativeOrder());
    message.putShort((short) attributeLength).putShort((short) attributeType).put(value);
    return message.array();
  }

  /**
   * Reads the messages in {@code buffer[0, length)}: the packets, and the first error an
   * acknowledgement reported (a positive errno), if any. A successful acknowledgement is no
   * error.
   */
  static Received read(byte[] buffer, int length, Instant received) {
    ByteBuffer data = ByteBuffer.wrap(buffer, 0, length).order(ByteOrder.nativeOrder());
    List<NflogRecord> packets = new ArrayList<>();
    OptionalInt error = OptionalInt.empty();
    int at = 0;
    while (at + HEADER_LENGTH <= length) {
      int messageLength = data.getInt(at);
      int type = Short.toUnsignedInt(data.getShort(at + 4));
      if (messageLength < HEADER_LENGTH || at + messageLength > length) {
        break;
      }
      if (type == MESSAGE_PACKET) {
        packets.add(packet(buffer, at + HEADER_LENGTH, at + messageLength, received));
      } else if (type == NLMSG_ERROR && error.isEmpty() && messageLength >= HEADER_LENGTH + 4) {
        int code = data.getInt(at + HEADER_LENGTH);
        if (code != 0) {
          error = OptionalInt.of(-code);
        }
      }
      at += align(messageLength);
    }
    return new Received(packets, error);
  }

  /** One packet: the netfilter header and attributes in {@code buffer[from, to)}. */
  static NflogRecord packet(byte[] buffer, int from, int to, Instant received) {
    ByteBuffer data = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
    int group = Short.toUnsignedInt(ByteBuffer.wrap(buffer).order(ByteOrder.BIG_ENDIAN)
        .getShort(from + 2));
    Instant time = received;
    String prefix = "";
    byte[] payload = new byte[0];
    int at = from + NETFILTER_HEADER_LENGTH;
    while (at + 4 <= to) {
      int length = Short.toUnsignedInt(data.getShort(at));
      // The top bits of the type flag nested and network-order attributes; the rest is the type.
      int type = Short.toUnsignedInt(data.getShort(at + 2)) & 0x3fff;
      if (length < 4 || at + length > to) {
        break;
      }
      byte[] value = new byte[length - 4];
      System.arraycopy(buffer, at + 4, value, 0, value.length);
      if (type == ATTRIBUTE_PREFIX) {
        int end = 0;
        while (end < value.length && value[end] != 0) {
          end++;
        }
        prefix = new String(value, 0, end, StandardCharsets.US_ASCII);
      } else if (type == ATTRIBUTE_PAYLOAD) {
        payload = value;
      } else if (type == ATTRIBUTE_TIMESTAMP && value.length >= 16) {
        ByteBuffer timestamp = ByteBuffer.wrap(value).order(ByteOrder.BIG_ENDIAN);
        time = Instant.ofEpochSecond(timestamp.getLong(0), timestamp.getLong(8) * 1000);
      }
      at += align(length);
    }
    return new NflogRecord(time, group, prefix, payload);
  }

  private static int align(int length) {
    return (length + 3) & ~3;
  }
}
