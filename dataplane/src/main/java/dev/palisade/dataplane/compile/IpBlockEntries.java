package dev.palisade.dataplane.compile;

import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.plan.BlockRanges;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;

/**
 * The {@code hash:net} entries of an ipBlock, written as {@code ipset save} prints them: its
 * ranges ({@link BlockRanges}) with the excepts flagged {@code nomatch}, which makes a
 * {@code hash:net} lookup of an address in them fail.
 */
final class IpBlockEntries {
  private IpBlockEntries() {}

  static ImmutableSortedSet<String> of(IpBlock block) {
    return BlockRanges.of(block).stream().map(SetMemberText::of)
        .collect(ImmutableSortedSet.toImmutableSortedSet(String::compareTo));
  }

  /** {@code 10.0.0.0/8}; a host block is printed as the bare address, as ipset does. */
  static String text(Cidr cidr) {
    String address = InetAddresses.toAddrString(cidr.network());
    return cidr.prefixLength() == cidr.family().bits() ? address
        : address + "/" + cidr.prefixLength();
  }
}
