package dev.palisade.dataplane.ebpf;

import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;

/**
 * The traffic part of a verdict key: every protocol, every port of one protocol, or a block of
 * ports (the {@code 2^(16 - portBits)} ports that share the top {@code portBits} bits of
 * {@code port}). In the key it is the prefix after (endpoint, identity, direction): 72 bits for
 * every protocol, 80 for every port, 80 + portBits for a block.
 *
 * @param protocol the IANA protocol number, or {@link #EVERY_PROTOCOL}
 */
public record Traffic(int protocol, int port, int portBits) implements Comparable<Traffic> {
  public static final int EVERY_PROTOCOL = -1;

  public Traffic {
    if (protocol < EVERY_PROTOCOL || protocol > 255) {
      throw new IllegalArgumentException("protocol number out of range: " + protocol);
    }
    if (portBits < 0 || portBits > 16 || (protocol == EVERY_PROTOCOL && portBits != 0)) {
      throw new IllegalArgumentException("bad port prefix length " + portBits);
    }
    int mask = portBits == 0 ? 0 : (0xffff << (16 - portBits)) & 0xffff;
    if (port < 0 || port > 0xffff || (port & ~mask) != 0) {
      throw new IllegalArgumentException("port " + port + " has bits beyond its prefix /"
          + portBits);
    }
  }

  /** A rule without ports: every protocol (ICMP included) and port. */
  public static Traffic everything() {
    return new Traffic(EVERY_PROTOCOL, 0, 0);
  }

  public static Traffic allPorts(Protocol protocol) {
    return new Traffic(number(protocol), 0, 0);
  }

  public static Traffic port(Protocol protocol, int port) {
    return new Traffic(number(protocol), port, 16);
  }

  /**
   * The blocks that cover {@code from..to} exactly (a NetworkPolicy {@code port}/{@code endPort}
   * range): the largest aligned block that starts at the lower bound and fits, repeatedly; at
   * most 30 blocks for 16-bit ports.
   */
  public static List<Traffic> range(Protocol protocol, int from, int to) {
    if (from < 0 || to > 0xffff || from > to) {
      throw new IllegalArgumentException("bad port range " + from + ".." + to);
    }
    int number = number(protocol);
    if (from == 0 && to == 0xffff) {
      return List.of(new Traffic(number, 0, 0));
    }
    List<Traffic> blocks = new ArrayList<>();
    long start = from;
    while (start <= to) {
      int size = 1;
      // grow while aligned and still inside the range
      while (size < 0x10000 && start % (size * 2L) == 0 && start + size * 2L - 1 <= to) {
        size *= 2;
      }
      blocks.add(new Traffic(number, (int) start, 16 - Integer.numberOfTrailingZeros(size)));
      start += size;
    }
    return List.copyOf(blocks);
  }

  /** The IANA number of a protocol as the IP header carries it (ICMP: the family's). */
  public static int number(Protocol protocol) {
    return switch (protocol) {
      case TCP -> 6;
      case UDP -> 17;
      case SCTP -> 132;
      case ICMP -> 1;
    };
  }

  /**
   * Whether this prefix matches a packet of {@code protocol} (IANA number) to {@code port}, as the
   * program's lookup does: every-protocol covers all; otherwise the protocol must be the same and
   * carry ports (ICMP is looked up with port 0, which only every-protocol prefixes match).
   */
  public boolean covers(int packetProtocol, int packetPort) {
    if (protocol == EVERY_PROTOCOL) {
      return true;
    }
    if (protocol != packetProtocol || packetProtocol == number(Protocol.ICMP)) {
      return false;
    }
    int size = 1 << (16 - portBits);
    return packetPort >= port && packetPort < port + size;
  }

  /**
   * The shorter prefixes that contain this one, so also every packet it matches: every
   * protocol, every port of the protocol, each wider block of ports.
   */
  public List<Traffic> wider() {
    if (protocol == EVERY_PROTOCOL) {
      return List.of();
    }
    List<Traffic> wider = new ArrayList<>(List.of(everything()));
    for (int bits = 0; bits < portBits; bits++) {
      wider.add(new Traffic(protocol, port & ~(0xffff >>> bits) & 0xffff, bits));
    }
    return wider;
  }

  /** The key's prefix length over the 96 bits of (endpoint, identity, direction, protocol, port). */
  public int keyPrefixLength() {
    return protocol == EVERY_PROTOCOL ? 72 : 80 + portBits;
  }

  @Override
  public int compareTo(Traffic other) {
    int byProtocol = Integer.compare(protocol, other.protocol);
    if (byProtocol != 0) {
      return byProtocol;
    }
    int byPort = Integer.compare(port, other.port);
    return byPort != 0 ? byPort : Integer.compare(portBits, other.portBits);
  }

  @Override
  public String toString() {
    if (protocol == EVERY_PROTOCOL) {
      return "any";
    }
    String name = switch (protocol) {
      case 6 -> "tcp";
      case 17 -> "udp";
      case 132 -> "sctp";
      case 1 -> "icmp";
      case 58 -> "icmpv6";
      default -> "proto" + protocol;
    };
    if (portBits == 0) {
      return name;
    }
    int last = port + (1 << (16 - portBits)) - 1;
    return name + "/" + (last == port ? String.valueOf(port) : port + "-" + last);
  }
}
