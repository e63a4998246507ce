package dev.palisade.model;

import com.google.common.collect.ImmutableSortedSet;
import java.net.InetAddress;

/**
 * An ipBlock peer: every address of {@code cidr} except those in any of {@code except}. It
 * applies to pod IPs as well as to addresses outside the cluster. The blocks keep what the
 * author wrote (lint points at host bits); matching looks only at the prefix.
 */
public record IpBlock(Cidr cidr, ImmutableSortedSet<Cidr> except) implements Peer {

  public static IpBlock of(Cidr cidr, Iterable<Cidr> except) {
    return new IpBlock(cidr, ImmutableSortedSet.copyOf(except));
  }

  public IpFamily family() {
    return cidr.family();
  }

  public boolean contains(InetAddress address) {
    if (!cidr.contains(address)) {
      return false;
    }
    for (Cidr excluded : except) {
      if (excluded.contains(address)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return except.isEmpty() ? cidr.toString() : cidr + " except " + except;
  }
}
