package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code hash:net} entries of an ipBlock, written as {@code ipset save} prints them.
 *
 * <p>A {@code hash:net} lookup takes the most specific entry that contains the address, and an
 * entry flagged {@code nomatch} makes the lookup fail. So "cidr except e1, e2" is the entry
 * {@code cidr} plus {@code e1 nomatch}, {@code e2 nomatch} for each except strictly inside it.
 * Three cases need care: ipset refuses prefix length 0, so {@code /0} becomes its two halves;
 * an except that covers a whole positive entry removes that entry (an entry and the same block
 * as {@code nomatch} cannot coexist); excepts outside the cidr remove nothing and are dropped,
 * as are excepts inside another except.
 */
final class IpBlockEntries {
  private static final String NOMATCH = " nomatch";

  private IpBlockEntries() {}

  static ImmutableSortedSet<String> of(IpBlock block) {
    List<Cidr> excepts = block.except().stream().map(Cidr::normalized).toList();
    List<Cidr> positives = new ArrayList<>();
    for (Cidr positive : splitZeroPrefix(block.cidr().normalized())) {
      if (excepts.stream().noneMatch(except -> except.contains(positive))) {
        positives.add(positive);
      }
    }
    ImmutableSortedSet.Builder<String> entries = ImmutableSortedSet.naturalOrder();
    positives.forEach(positive -> entries.add(text(positive)));
    for (Cidr except : excepts) {
      boolean insidePositive = positives.stream().anyMatch(p -> p.contains(except));
      boolean insideOtherExcept = excepts.stream()
          .anyMatch(other -> !other.equals(except) && other.contains(except));
      if (insidePositive && !insideOtherExcept) {
        entries.add(text(except) + NOMATCH);
      }
    }
    return entries.build();
  }

  private static List<Cidr> splitZeroPrefix(Cidr cidr) {
    if (cidr.prefixLength() > 0) {
      return List.of(cidr);
    }
    byte[] upper = cidr.network().getAddress();
    upper[0] = (byte) 0x80;
    return List.of(new Cidr(cidr.network(), 1), new Cidr(address(upper), 1));
  }

  /** {@code 10.0.0.0/8}; a host block is printed as the bare address, as ipset does. */
  static String text(Cidr cidr) {
    String address = InetAddresses.toAddrString(cidr.network());
    return cidr.prefixLength() == cidr.family().bits() ? address
        : address + "/" + cidr.prefixLength();
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError("a 4 or 16 byte array is always an address", e);
    }
  }
}
