package dev.palisade.logs;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads a pcap stream of link type NFLOG (239), as {@code tcpdump -i nflog:GROUP -w -} writes
 * it, one {@link NflogRecord} at a time. Layout (libpcap's LINKTYPE_NFLOG): each packet is a
 * 4-byte header (address family, version, the group big-endian) and type-length-value
 * attributes whose length and type are in the capturing host's byte order (the file header's
 * magic number tells which), each padded to 4 bytes; the prefix is attribute 10 (NUL-terminated),
 * the packet attribute 9.
 *
 * <p>Time: the kernel's receive time of the packet (attribute 3, seconds and microseconds
 * big-endian) when it has one, else the pcap record's, which libpcap takes when it reads the
 * netlink message: the kernel sends NFLOG messages in batches (up to about a second apart), so
 * packets of one batch may show the same time.
 */
final class NflogCapture {
  static final int LINKTYPE_NFLOG = 239;
  private static final int MAGIC_MICROS = 0xa1b2c3d4;
  private static final int MAGIC_NANOS = 0xa1b23c4d;
  private static final int FILE_HEADER_LENGTH = 24;
  private static final int RECORD_HEADER_LENGTH = 16;
  private static final int NFLOG_HEADER_LENGTH = 4;
  private static final int ATTRIBUTE_TIMESTAMP = 3;
  private static final int ATTRIBUTE_PAYLOAD = 9;
  private static final int ATTRIBUTE_PREFIX = 10;

  private final DataInputStream in;
  private final ByteOrder order;
  private final boolean nanos;

  private NflogCapture(DataInputStream in, ByteOrder order, boolean nanos) {
    this.in = in;
    this.order = order;
    this.nanos = nanos;
  }

  /**
   * Reads the file header.
   *
   * @throws IOException when the stream ends first, is no pcap stream, or not of NFLOG
   */
  static NflogCapture open(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    byte[] header = new byte[FILE_HEADER_LENGTH];
    in.readFully(header);
    ByteBuffer buffer = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    int magic = buffer.getInt(0);
    if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
      buffer.order(ByteOrder.BIG_ENDIAN);
      magic = buffer.getInt(0);
    }
    if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
      throw new IOException("not a pcap stream (magic number 0x"
          + Integer.toHexString(magic) + ")");
    }
    int linkType = buffer.getInt(20);
    if (linkType != LINKTYPE_NFLOG) {
      throw new IOException("the capture's link type is " + linkType + ", not NFLOG ("
          + LINKTYPE_NFLOG + ")");
    }
    return new NflogCapture(in, buffer.order(), magic == MAGIC_NANOS);
  }

  /** The next packet, or empty at the end of the stream. */
  Optional<NflogRecord> next() throws IOException {
    byte[] recordHeader = new byte[RECORD_HEADER_LENGTH];
    try {
      in.readFully(recordHeader);
    } catch (EOFException e) {
      return Optional.empty();
    }
    ByteBuffer header = ByteBuffer.wrap(recordHeader).order(order);
    long seconds = Integer.toUnsignedLong(header.getInt(0));
    long fraction = Integer.toUnsignedLong(header.getInt(4));
    int length = header.getInt(8);
    byte[] data = new byte[length];
    in.readFully(data);
    Instant time = Instant.ofEpochSecond(seconds, nanos ? fraction : fraction * 1000);
    return Optional.of(record(time, data));
  }

  private NflogRecord record(Instant time, byte[] bytes) {
    int group = Short.toUnsignedInt(ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN)
        .getShort(2));
    ByteBuffer data = ByteBuffer.wrap(bytes).order(order);
    Instant stamped = time;
    String prefix = "";
    byte[] payload = new byte[0];
    int at = NFLOG_HEADER_LENGTH;
    while (at + 4 <= data.limit()) {
      int length = Short.toUnsignedInt(data.getShort(at));
      // The top bit of the type marks a nested attribute: the type is the rest.
      int type = Short.toUnsignedInt(data.getShort(at + 2)) & 0x7fff;
      if (length < 4 || at + length > data.limit()) {
        break;
      }
      byte[] value = new byte[length - 4];
      data.get(at + 4, value);
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
        stamped = Instant.ofEpochSecond(timestamp.getLong(0), timestamp.getLong(8) * 1000);
      }
      at += (length + 3) & ~3;
    }
    return new NflogRecord(stamped, group, prefix, payload);
  }
}
