package dev.palisade.logs;

import dev.palisade.model.Protocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The addresses, protocol and ports of an IP packet, as far as its first bytes tell: IPv4 with
 * options, IPv6 with its fixed header (a packet whose next header is an extension header shows
 * that header's number as protocol and no ports).
 *
 * @param protocolNumber the IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6)
 * @param destinationPort for TCP, UDP and SCTP; for ICMP and ICMPv6 the message type
 */
public record PacketHeader(InetAddress source, InetAddress destination, int protocolNumber,
    OptionalInt destinationPort) {
  private static final int TCP = 6;
  private static final int UDP = 17;
  private static final int SCTP = 132;
  private static final int ICMP = 1;
  private static final int ICMPV6 = 58;

  /** Empty when the bytes are too short for the header they start. */
  public static Optional<PacketHeader> parse(byte[] packet) {
    if (packet.length < 1) {
      return Optional.empty();
    }
    int version = (packet[0] & 0xff) >> 4;
    if (version == 4 && packet.length >= 20) {
      int headerLength = (packet[0] & 0x0f) * 4;
      return Optional.of(new PacketHeader(address(packet, 12, 4), address(packet, 16, 4),
          packet[9] & 0xff, port(packet, headerLength, packet[9] & 0xff)));
    }
    if (version == 6 && packet.length >= 40) {
      return Optional.of(new PacketHeader(address(packet, 8, 16), address(packet, 24, 16),
          packet[6] & 0xff, port(packet, 40, packet[6] & 0xff)));
    }
    return Optional.empty();
  }

  /** {@code TCP/80}, {@code UDP/53}, {@code ICMP type 8}, or {@code protocol 47}. */
  public String describeTraffic() {
    return switch (protocolNumber) {
      case TCP -> Protocol.TCP + portSuffix();
      case UDP -> Protocol.UDP + portSuffix();
      case SCTP -> Protocol.SCTP + portSuffix();
      case ICMP, ICMPV6 -> (protocolNumber == ICMP ? "ICMP" : "ICMPv6")
          + (destinationPort.isPresent() ? " type " + destinationPort.getAsInt() : "");
      default -> "protocol " + protocolNumber;
    };
  }

  private String portSuffix() {
    return destinationPort.isPresent() ? "/" + destinationPort.getAsInt() : "";
  }

  private static OptionalInt port(byte[] packet, int transportStart, int protocol) {
    return switch (protocol) {
      case TCP, UDP, SCTP -> packet.length >= transportStart + 4
          ? OptionalInt.of(Short.toUnsignedInt(ByteBuffer.wrap(packet).getShort(
              transportStart + 2)))
          : OptionalInt.empty();
      case ICMP, ICMPV6 -> packet.length > transportStart
          ? OptionalInt.of(packet[transportStart] & 0xff) : OptionalInt.empty();
      default -> OptionalInt.empty();
    };
  }

  private static InetAddress address(byte[] packet, int offset, int length) {
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(packet, offset, offset + length));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + length + " bytes is always valid", e);
    }
  }
}
