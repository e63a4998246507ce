package dev.palisade.model;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address block as written in an ipBlock ({@code 10.0.0.0/8}, {@code fd00::/64}). The
 * address keeps what the author wrote, host bits included, so that lint can point at
 * {@code 10.0.0.1/8}; matching uses only the first {@code prefixLength} bits.
 */
public record Cidr(InetAddress address, int prefixLength) implements Comparable<Cidr> {

  public Cidr {
    checkArgument(address != null, "address must be set");
    int bits = IpFamily.of(address).bits();
    checkArgument(prefixLength >= 0 && prefixLength <= bits,
        "prefix length %s is out of range 0-%s", prefixLength, bits);
  }

  /**
   * Parses {@code address/prefix}; a bare address is a host block (/32 or /128).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Cidr parse(String text) {
    checkArgument(text != null && !text.isBlank(), "CIDR must not be empty");
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
    checkArgument(InetAddresses.isInetAddress(addressText),
        "'%s' is not a valid CIDR: '%s' is not an IP address", text, addressText);
    InetAddress address = InetAddresses.forString(addressText);
    int bits = IpFamily.of(address).bits();
    if (slash < 0) {
      return new Cidr(address, bits);
    }
    String prefixText = trimmed.substring(slash + 1);
    int prefix;
    try {
      prefix = Integer.parseInt(prefixText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a valid CIDR: prefix '" + prefixText + "' is not a number");
    }
    checkArgument(prefix >= 0 && prefix <= bits,
        "'%s' is not a valid CIDR: prefix %s is out of range 0-%s", text, prefix, bits);
    return new Cidr(address, prefix);
  }

  public static Cidr host(InetAddress address) {
    return new Cidr(address, IpFamily.of(address).bits());
  }

  public IpFamily family() {
    return IpFamily.of(address);
  }

  /** The block's first address: the written address with its host bits cleared. */
  public InetAddress network() {
    try {
      return InetAddress.getByAddress(networkBytes());
    } catch (UnknownHostException e) {
      throw new AssertionError("a byte array of a valid length is always an address", e);
    }
  }

  private byte[] networkBytes() {
    byte[] bytes = address.getAddress();
    for (int bit = prefixLength; bit < bytes.length * 8; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return bytes;
  }

  /** Whether the written address has bits set beyond the prefix (lint: "10.0.0.1/8"). */
  public boolean hasHostBits() {
    return !network().equals(address);
  }

  /** The normalized form, host bits cleared. */
  public Cidr normalized() {
    return hasHostBits() ? new Cidr(network(), prefixLength) : this;
  }

  public boolean contains(InetAddress candidate) {
    if (IpFamily.of(candidate) != family()) {
      return false;
    }
    byte[] block = address.getAddress();
    byte[] other = candidate.getAddress();
    int fullBytes = prefixLength / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (block[i] != other[i]) {
        return false;
      }
    }
    int remainingBits = prefixLength % 8;
    if (remainingBits == 0) {
      return true;
    }
    int mask = (0xff << (8 - remainingBits)) & 0xff;
    return (block[fullBytes] & mask) == (other[fullBytes] & mask);
  }

  /** Whether every address of {@code other} lies in this block. */
  public boolean contains(Cidr other) {
    return other.family() == family() && other.prefixLength >= prefixLength
        && contains(other.address);
  }

  @Override
  public int compareTo(Cidr other) {
    int byFamily = family().compareTo(other.family());
    if (byFamily != 0) {
      return byFamily;
    }
    // the bytes only: sorting a node's pods compares their addresses many times over
    byte[] mine = networkBytes();
    byte[] theirs = other.networkBytes();
    for (int i = 0; i < mine.length; i++) {
      int byByte = Integer.compare(mine[i] & 0xff, theirs[i] & 0xff);
      if (byByte != 0) {
        return byByte;
      }
    }
    return Integer.compare(prefixLength, other.prefixLength);
  }

  @Override
  public String toString() {
    return InetAddresses.toAddrString(address) + "/" + prefixLength;
  }
}
