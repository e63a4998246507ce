package dev.palisade.dataplane.plan;

import com.google.common.collect.ImmutableList;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The ranges of an ipBlock for a longest-prefix lookup (an ipset {@code hash:net}, an LPM trie):
 * the most specific range that contains an address decides, and an {@code except} range says
 * "not in the class". So "cidr except e1, e2" is the range {@code cidr} plus {@code e1} and
 * {@code e2} flagged for each except strictly inside it. An except that covers the whole cidr
 * removes it (a range and the same range flagged cannot coexist); excepts outside the cidr, or
 * inside another except, change nothing and are dropped. A {@code /0} becomes its two halves,
 * which ipset needs (it refuses prefix length 0) and a trie does not mind.
 */
public final class BlockRanges {
  private BlockRanges() {}

  public static ImmutableList<Member.Range> of(IpBlock block) {
    List<Cidr> excepts = block.except().stream().map(Cidr::normalized).toList();
    List<Cidr> positives = new ArrayList<>();
    for (Cidr positive : splitZeroPrefix(block.cidr().normalized())) {
      if (excepts.stream().noneMatch(except -> except.contains(positive))) {
        positives.add(positive);
      }
    }
    ImmutableList.Builder<Member.Range> ranges = ImmutableList.builder();
    positives.forEach(positive -> ranges.add(new Member.Range(positive, false)));
    for (Cidr except : excepts) {
      boolean insidePositive = positives.stream().anyMatch(p -> p.contains(except));
      boolean insideOtherExcept = excepts.stream()
          .anyMatch(other -> !other.equals(except) && other.contains(except));
      if (insidePositive && !insideOtherExcept) {
        ranges.add(new Member.Range(except, true));
      }
    }
    return ranges.build();
  }

  private static List<Cidr> splitZeroPrefix(Cidr cidr) {
    if (cidr.prefixLength() > 0) {
      return List.of(cidr);
    }
    byte[] upper = cidr.network().getAddress();
    upper[0] = (byte) 0x80;
    return List.of(new Cidr(cidr.network(), 1), new Cidr(address(upper), 1));
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError("a 4 or 16 byte array is always an address", e);
    }
  }
}
