package dev.palisade.model;

import java.net.Inet4Address;
import java.net.InetAddress;

/** IPv4 or IPv6. A v4 block never matches a v6 address and the reverse. */
public enum IpFamily {
  V4(32),
  V6(128);

  private final int bits;

  IpFamily(int bits) {
    this.bits = bits;
  }

  public int bits() {
    return bits;
  }

  public int number() {
    return this == V4 ? 4 : 6;
  }

  public static IpFamily of(InetAddress address) {
    return address instanceof Inet4Address ? V4 : V6;
  }

  /** 4 or 6, as scenario files write it. */
  public static IpFamily ofNumber(int number) {
    return switch (number) {
      case 4 -> V4;
      case 6 -> V6;
      default -> throw new IllegalArgumentException("IP family must be 4 or 6, got " + number);
    };
  }
}
