package dev.palisade.dataplane.kernel;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.state.IpSetType;
import dev.palisade.model.IpFamily;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Locale;

/**
 * Members in the exact text {@code ipset save} prints, so desired and kernel members compare as
 * strings: compressed lower-case addresses, networks masked, no {@code /32} or {@code /128}
 * on hash:net, {@code proto:port} after a comma, {@code nomatch} as the only flag. Without this
 * a member written as {@code 10.0.2.1/32} would be deleted and re-added on every sync.
 */
final class SetMembers {
  private static final String NOMATCH = " nomatch";

  private SetMembers() {}

  static String canonical(String set, IpSetType type, IpFamily family, String member) {
    String trimmed = member.trim();
    boolean nomatch = trimmed.endsWith(NOMATCH);
    String key = nomatch ? trimmed.substring(0, trimmed.length() - NOMATCH.length()).trim()
        : trimmed;
    if (nomatch && type != IpSetType.HASH_NET) {
      throw bad(set, member, "nomatch is only valid in hash:net sets");
    }
    String canonicalKey = switch (type) {
      case HASH_IP -> address(set, family, member, key);
      case HASH_NET -> network(set, family, member, key);
      case HASH_IP_PORT -> addressAndPort(set, family, member, key);
    };
    return nomatch ? canonicalKey + NOMATCH : canonicalKey;
  }

  /** The element a {@code del} names: the member without flags ({@code del} rejects them). */
  static String key(String member) {
    return member.endsWith(NOMATCH) ? member.substring(0, member.length() - NOMATCH.length())
        : member;
  }

  private static String address(String set, IpFamily family, String member, String text) {
    return InetAddresses.toAddrString(parse(set, family, member, text));
  }

  private static String network(String set, IpFamily family, String member, String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return address(set, family, member, text);
    }
    InetAddress address = parse(set, family, member, text.substring(0, slash));
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw bad(set, member, "prefix length is not a number");
    }
    if (prefix < 1 || prefix > family.bits()) {
      throw bad(set, member, "prefix length must be 1.." + family.bits());
    }
    if (prefix == family.bits()) {
      return InetAddresses.toAddrString(address);
    }
    BigInteger value = new BigInteger(1, address.getAddress());
    BigInteger mask = BigInteger.ONE.shiftLeft(family.bits()).subtract(BigInteger.ONE)
        .shiftRight(prefix).not();
    InetAddress network = family == IpFamily.V4
        ? InetAddresses.fromIPv4BigInteger(value.and(mask))
        : InetAddresses.fromIPv6BigInteger(value.and(mask));
    return InetAddresses.toAddrString(network) + "/" + prefix;
  }

  private static String addressAndPort(String set, IpFamily family, String member, String text) {
    int comma = text.lastIndexOf(',');
    int colon = text.lastIndexOf(':');
    if (comma < 0 || colon < comma) {
      throw bad(set, member, "expected address,proto:port");
    }
    String protocol = text.substring(comma + 1, colon).toLowerCase(Locale.ROOT);
    if (!protocol.matches("tcp|udp|sctp")) {
      throw bad(set, member, "protocol must be tcp, udp or sctp");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw bad(set, member, "port is not a number");
    }
    if (port < 0 || port > 65535) {
      throw bad(set, member, "port out of range");
    }
    return address(set, family, member, text.substring(0, comma)) + "," + protocol + ":" + port;
  }

  private static InetAddress parse(String set, IpFamily family, String member, String text) {
    InetAddress address;
    try {
      address = InetAddresses.forString(text);
    } catch (IllegalArgumentException e) {
      throw bad(set, member, "'" + text + "' is not an IP address");
    }
    if (IpFamily.of(address) != family) {
      throw bad(set, member, "address is not " + family);
    }
    return address;
  }

  private static IllegalArgumentException bad(String set, String member, String why) {
    return new IllegalArgumentException("bad member '" + member + "' of set " + set + ": " + why);
  }
}
