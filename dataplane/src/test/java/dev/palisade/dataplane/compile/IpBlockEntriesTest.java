package dev.palisade.dataplane.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code hash:net} entries of an ipBlock, and the proof that they mean "cidr minus every
 * except": a model of the kernel's lookup (the most specific entry containing the address
 * decides; {@code nomatch} means no match) agrees with {@link IpBlock#contains} on every
 * boundary address of every block involved.
 */
class IpBlockEntriesTest {

  static Stream<Arguments> blocks() {
    return Stream.of(
        Arguments.of("plain v4", block("10.0.0.0/16"), List.of("10.0.0.0/16")),
        Arguments.of("host bits cleared", block("10.0.0.1/16"), List.of("10.0.0.0/16")),
        Arguments.of("host block printed bare", block("10.0.0.7/32"), List.of("10.0.0.7")),
        Arguments.of("except inside", block("10.0.0.0/16", "10.0.1.0/24"),
            List.of("10.0.0.0/16", "10.0.1.0/24 nomatch")),
        Arguments.of("nested excepts keep the outer", block("10.0.0.0/16", "10.0.1.0/24",
            "10.0.1.5/32"), List.of("10.0.0.0/16", "10.0.1.0/24 nomatch")),
        Arguments.of("except outside dropped", block("10.0.0.0/16", "192.168.0.0/16"),
            List.of("10.0.0.0/16")),
        Arguments.of("except covering the cidr leaves nothing", block("10.0.1.0/24",
            "10.0.0.0/16"), List.of()),
        Arguments.of("except equal to the cidr leaves nothing", block("10.0.1.0/24",
            "10.0.1.0/24"), List.of()),
        Arguments.of("zero prefix split in halves", block("0.0.0.0/0", "10.0.0.0/8"),
            List.of("0.0.0.0/1", "10.0.0.0/8 nomatch", "128.0.0.0/1")),
        Arguments.of("zero prefix minus a half", block("0.0.0.0/0", "128.0.0.0/1"),
            List.of("0.0.0.0/1")),
        Arguments.of("v6 except", block("fd00::/16", "fd00:2::/64"),
            List.of("fd00:2::/64 nomatch", "fd00::/16")),
        Arguments.of("v6 zero prefix", block("::/0", "fd00::/16"),
            List.of("8000::/1", "::/1", "fd00::/16 nomatch")),
        Arguments.of("v6 host", block("fd00::1/128"), List.of("fd00::1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("blocks")
  void entriesAreAsIpsetSavePrintsThem(String name, IpBlock block, List<String> expected) {
    assertThat(IpBlockEntries.of(block)).containsExactlyElementsOf(
        expected.stream().sorted().toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("blocks")
  void aKernelLookupOfTheEntriesMatchesExactlyTheBlockMinusItsExcepts(String name,
      IpBlock block, List<String> ignored) {
    List<Entry> entries = IpBlockEntries.of(block).stream().map(Entry::parse).toList();
    for (InetAddress probe : probes(block)) {
      assertThat(lookup(entries, probe)).as("lookup of %s in %s", probe, entries)
          .isEqualTo(block.contains(probe));
    }
  }

  /** One hash:net entry: a block, possibly flagged nomatch. */
  private record Entry(Cidr cidr, boolean nomatch) {
    static Entry parse(String text) {
      boolean nomatch = text.endsWith(" nomatch");
      String block = nomatch ? text.substring(0, text.length() - " nomatch".length()) : text;
      return new Entry(Cidr.parse(block), nomatch);
    }
  }

  /** ipset's hash:net lookup: the most specific containing entry decides. */
  private static boolean lookup(List<Entry> entries, InetAddress address) {
    Optional<Entry> best = entries.stream().filter(e -> e.cidr().contains(address))
        .max(Comparator.comparingInt(e -> e.cidr().prefixLength()));
    return best.isPresent() && !best.get().nomatch();
  }

  /** First and last address of every block involved, and their neighbours outside. */
  private static List<InetAddress> probes(IpBlock block) {
    List<InetAddress> probes = new ArrayList<>();
    List<Cidr> blocks = new ArrayList<>(block.except());
    blocks.add(block.cidr());
    for (Cidr cidr : blocks) {
      BigInteger first = new BigInteger(1, cidr.network().getAddress());
      int bits = cidr.family().bits();
      BigInteger size = BigInteger.ONE.shiftLeft(bits - cidr.prefixLength());
      BigInteger last = first.add(size).subtract(BigInteger.ONE);
      BigInteger max = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
      for (BigInteger value : List.of(first, last, first.subtract(BigInteger.ONE),
          last.add(BigInteger.ONE), first.add(size.shiftRight(1)))) {
        if (value.signum() >= 0 && value.compareTo(max) <= 0) {
          probes.add(address(value, bits / 8));
        }
      }
    }
    return probes;
  }

  private static InetAddress address(BigInteger value, int bytes) {
    byte[] raw = value.toByteArray();
    byte[] fixed = new byte[bytes];
    int copy = Math.min(raw.length, bytes);
    System.arraycopy(raw, raw.length - copy, fixed, bytes - copy, copy);
    try {
      return InetAddress.getByAddress(fixed);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static IpBlock block(String cidr, String... except) {
    return IpBlock.of(Cidr.parse(cidr), Arrays.stream(except).map(Cidr::parse).toList());
  }
}
