package dev.palisade.dataplane.ebpf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * SCTP packets (RFC 9260) built by hand, for {@link RawSocket}: the common header (ports,
 * verification tag, CRC32c checksum) and the chunks of an association's life. Right enough for
 * the node's conntrack to track them; no SCTP stack reads them (this kernel has none).
 */
final class Sctp {
  private static final int INIT = 1;
  private static final int INIT_ACK = 2;
  private static final int SACK = 3;
  private static final int COOKIE_ECHO = 10;
  private static final int COOKIE_ACK = 11;
  private static final int DATA = 0;
  private static final int STATE_COOKIE = 7;
  private static final int WINDOW = 65536;

  private Sctp() {}

  /** A packet of {@code chunks} with its checksum (CRC32c, stored little-endian as Linux does). */
  static byte[] packet(int sourcePort, int destinationPort, int verificationTag,
      byte[]... chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(12).putShort((short) sourcePort)
        .putShort((short) destinationPort).putInt(verificationTag).putInt(0).array());
    for (byte[] chunk : chunks) {
      out.writeBytes(chunk);
    }
    byte[] packet = out.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(packet);
    ByteBuffer.wrap(packet, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
    return packet;
  }

  /** INIT: the only chunk that opens an association; its tag is what the peer must send. */
  static byte[] init(int initiateTag) {
    return chunk(INIT, initiation(initiateTag).array());
  }

  static byte[] initAck(int initiateTag, byte[] cookie) {
    ByteBuffer parameter = ByteBuffer.allocate(4 + cookie.length)
        .putShort((short) STATE_COOKIE).putShort((short) (4 + cookie.length)).put(cookie);
    ByteBuffer body = ByteBuffer.allocate(16 + parameter.capacity())
        .put(initiation(initiateTag).array()).put(parameter.array());
    return chunk(INIT_ACK, body.array());
  }

  static byte[] cookieEcho(byte[] cookie) {
    return chunk(COOKIE_ECHO, cookie);
  }

  static byte[] cookieAck() {
    return chunk(COOKIE_ACK, new byte[0]);
  }

  /** DATA on stream 0, unordered fragments not used: one complete message (flags B and E). */
  static byte[] data(int tsn, String message) {
    byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
    byte[] body = ByteBuffer.allocate(12 + bytes.length).putInt(tsn).putShort((short) 0)
        .putShort((short) 0).putInt(0).put(bytes).array();
    byte[] chunk = chunk(DATA, body);
    chunk[1] = 0x03;
    return chunk;
  }

  static byte[] sack(int cumulativeTsn) {
    return chunk(SACK, ByteBuffer.allocate(12).putInt(cumulativeTsn).putInt(WINDOW)
        .putShort((short) 0).putShort((short) 0).array());
  }

  /** The fixed part of INIT and INIT ACK: tag, window, 1 stream each way, initial TSN. */
  private static ByteBuffer initiation(int initiateTag) {
    return ByteBuffer.allocate(16).putInt(initiateTag).putInt(WINDOW).putShort((short) 1)
        .putShort((short) 1).putInt(initiateTag);
  }

  /** Type, flags 0, length, body, padded to 4 bytes. */
  private static byte[] chunk(int type, byte[] body) {
    int length = 4 + body.length;
    return ByteBuffer.allocate((length + 3) / 4 * 4).put((byte) type).put((byte) 0)
        .putShort((short) length).put(body).array();
  }
}
