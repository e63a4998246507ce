package dev.palisade.dataplane.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import dev.palisade.model.Cidr;
import dev.palisade.model.IpBlock;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Identity prefixes: the longest-prefix lookup the program does gives every address the exact
 * set of classes {@link IpBlock#contains} puts it in (checked on every boundary address and on
 * random tables), with excepts as longer prefixes instead of split blocks.
 */
class IdentityTableTest {

  @Test
  void anExceptIsALongerPrefixThatLeavesTheBlock() {
    Map<String, List<IpBlock>> classes = Map.of(
        "block", List.of(block("10.0.0.0/16", "10.0.1.0/24")));

    IdentityTable table = IdentityTable.compute(classes, new IdentityTable.Interner());

    assertThat(table.prefixes()).containsExactly(
        Map.entry(Cidr.parse("10.0.0.0/16"), 1), Map.entry(Cidr.parse("10.0.1.0/24"), 0));
    assertThat(table.identityOf(ip("10.0.2.1"))).isEqualTo(1);
    assertThat(table.identityOf(ip("10.0.1.1"))).isEqualTo(IdentityTable.WORLD);
    assertThat(table.identityOf(ip("10.1.0.1"))).isEqualTo(IdentityTable.WORLD);
  }

  /**
   * A restarted agent: a fresh interner adopts what the maps hold. Sets whose prefixes the maps
   * give one identity keep it although they were first numbered in another order; a set whose
   * prefixes changed, and a new set, get numbers above every number found.
   */
  @Test
  void anAdoptingInternerKeepsTheNumbersOfSetsWithTheSamePrefixes() {
    IdentityTable.Interner before = new IdentityTable.Interner();
    Map<String, List<IpBlock>> classes = new LinkedHashMap<>();
    classes.put("pods-c", List.of(host("10.99.1.13")));
    IdentityTable.compute(classes, before);
    classes.put("pods-b", List.of(host("10.99.1.12")));
    classes.put("block", List.of(block("10.98.0.0/16", "10.98.1.0/24")));
    IdentityTable found = IdentityTable.compute(classes, before);
    assertThat(found.prefixes().values()).as("numbered as they came").containsExactly(2, 0, 3, 1);
    assertThat(IdentityTable.compute(classes, new IdentityTable.Interner()).prefixes().values())
        .as("numbered afresh").containsExactly(1, 0, 2, 3);

    IdentityTable.Interner restarted = new IdentityTable.Interner();
    restarted.adopt(found.prefixes(), 7);
    assertThat(IdentityTable.compute(classes, restarted)).isEqualTo(found);

    IdentityTable.Interner changed = new IdentityTable.Interner();
    changed.adopt(found.prefixes(), 7);
    classes.put("pods-b", List.of(host("10.99.1.12"), host("10.99.1.14")));
    classes.put("pods-d", List.of(host("10.99.1.15")));
    IdentityTable table = IdentityTable.compute(classes, changed);
    assertThat(table.identityOf(ip("10.98.2.1"))).as("the block").isEqualTo(2);
    assertThat(table.identityOf(ip("10.99.1.13"))).as("pods-c").isEqualTo(1);
    assertThat(table.identityOf(ip("10.99.1.12"))).as("pods-b, one more pod").isEqualTo(8);
    assertThat(table.identityOf(ip("10.99.1.14"))).isEqualTo(8);
    assertThat(table.identityOf(ip("10.99.1.15"))).as("pods-d, new").isEqualTo(9);

    changed.endAdoption();
    classes.put("pods-e", List.of(host("10.98.1.1")));
    assertThat(IdentityTable.compute(classes, changed).identityOf(ip("10.98.1.1")))
        .as("a new set after the adoption").isEqualTo(10);
  }

  @Test
  void podsInsideABlockGetTheSetOfBoth() {
    Map<String, List<IpBlock>> classes = new LinkedHashMap<>();
    classes.put("block", List.of(block("10.99.1.0/24", "10.99.1.13/32")));
    classes.put("pods-a", List.of(host("10.99.1.11"), host("10.99.1.13")));
    classes.put("pods-b", List.of(host("10.99.1.12")));

    IdentityTable table = IdentityTable.compute(classes, new IdentityTable.Interner());

    assertThat(table.classes().get(table.identityOf(ip("10.99.1.11"))))
        .containsExactly("block", "pods-a");
    assertThat(table.classes().get(table.identityOf(ip("10.99.1.13")))).containsExactly("pods-a");
    assertThat(table.classes().get(table.identityOf(ip("10.99.1.12"))))
        .containsExactly("block", "pods-b");
    assertThat(table.identitiesOf("block")).hasSize(3); // the block, .11, .12
    assertThat(table.identitiesOf("pods-a")).hasSize(2);
  }

  @Test
  void aPrefixThatChangesNothingIsLeftOut() {
    Map<String, List<IpBlock>> classes = Map.of(
        "wide", List.of(block("10.0.0.0/8")),
        "same", List.of(block("10.0.0.0/8"), block("10.1.0.0/16")));

    IdentityTable table = IdentityTable.compute(classes, new IdentityTable.Interner());

    assertThat(table.prefixes()).containsOnlyKeys(Cidr.parse("10.0.0.0/8"));
  }

  @Test
  void identitiesAreStableAcrossComputationsAndNeverReused() {
    IdentityTable.Interner interner = new IdentityTable.Interner();
    IdentityTable first = IdentityTable.compute(Map.of("a", List.of(host("10.0.0.1")),
        "b", List.of(host("10.0.0.2"))), interner);
    int a = first.identityOf(ip("10.0.0.1"));
    interner.retainOnly(List.of(ImmutableSortedSet.of("a")));

    IdentityTable second = IdentityTable.compute(Map.of("a", List.of(host("10.0.0.1")),
        "c", List.of(host("10.0.0.3"))), interner);

    assertThat(second.identityOf(ip("10.0.0.1"))).isEqualTo(a);
    assertThat(second.identityOf(ip("10.0.0.3"))).isNotIn(first.prefixes().values());
  }

  @Test
  void longestPrefixAgreesWithTheBlocksOnRandomTables() {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      Map<String, List<IpBlock>> classes = new LinkedHashMap<>();
      for (int k = 0; k < 1 + random.nextInt(4); k++) {
        List<IpBlock> blocks = new ArrayList<>();
        for (int b = 0; b < 1 + random.nextInt(3); b++) {
          Cidr cidr = randomCidr(random, 8 + random.nextInt(20));
          List<Cidr> excepts = new ArrayList<>();
          for (int e = 0; e < random.nextInt(3); e++) {
            excepts.add(randomInside(random, cidr));
          }
          blocks.add(IpBlock.of(cidr, excepts));
        }
        classes.put("c" + k, blocks);
      }
      IdentityTable table = IdentityTable.compute(classes, new IdentityTable.Interner());
      for (InetAddress address : boundaries(classes)) {
        Set<String> expected = new TreeSet<>();
        classes.forEach((name, blocks) -> {
          if (blocks.stream().anyMatch(block -> block.contains(address))) {
            expected.add(name);
          }
        });
        int identity = table.identityOf(address);
        Set<String> actual = identity == IdentityTable.WORLD ? Set.of()
            : table.classes().get(identity);
        assertThat(actual).as("round %d, %s in %s", round, address, classes)
            .isEqualTo(expected);
      }
    }
  }

  private static Cidr randomCidr(Random random, int length) {
    byte[] bytes = {10, (byte) random.nextInt(4), (byte) random.nextInt(256),
        (byte) random.nextInt(256)};
    return new Cidr(InetAddresses.fromInteger(new BigInteger(1, bytes).intValue()), length)
        .normalized();
  }

  private static Cidr randomInside(Random random, Cidr outer) {
    int length = Math.min(32, outer.prefixLength() + random.nextInt(8));
    int base = InetAddresses.coerceToInteger(outer.network());
    int hostBits = 32 - outer.prefixLength();
    int offset = hostBits == 0 ? 0 : random.nextInt(1 << Math.min(hostBits, 30));
    return new Cidr(InetAddresses.fromInteger(base + offset), length).normalized();
  }

  /** First and last address of every prefix, and their neighbours. */
  private static List<InetAddress> boundaries(Map<String, List<IpBlock>> classes) {
    List<InetAddress> out = new ArrayList<>();
    classes.values().forEach(blocks -> blocks.forEach(block -> {
      List<Cidr> all = new ArrayList<>(block.except());
      all.add(block.cidr());
      for (Cidr cidr : all) {
        int first = InetAddresses.coerceToInteger(cidr.network());
        int last = first + (int) ((1L << (32 - cidr.prefixLength())) - 1);
        for (int address : new int[] {first - 1, first, last, last + 1}) {
          out.add(InetAddresses.fromInteger(address));
        }
      }
    }));
    return out;
  }

  private static IpBlock block(String cidr, String... excepts) {
    return IpBlock.of(Cidr.parse(cidr), Stream.of(excepts).map(Cidr::parse).toList());
  }

  private static IpBlock host(String address) {
    return IpBlock.of(Cidr.host(ip(address)), List.of());
  }

  private static InetAddress ip(String text) {
    return InetAddresses.forString(text);
  }
}
