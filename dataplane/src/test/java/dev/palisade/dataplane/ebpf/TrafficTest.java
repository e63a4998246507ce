package dev.palisade.dataplane.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.model.Protocol;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Port ranges as key prefixes: exact cover, few blocks, the key's prefix lengths. */
class TrafficTest {

  static Stream<Arguments> ranges() {
    return Stream.of(
        Arguments.of("one port", 80, 80, 1),
        Arguments.of("aligned pair", 80, 81, 1),
        Arguments.of("unaligned pair", 81, 82, 2),
        Arguments.of("diameter's range", 3868, 3870, 2),
        Arguments.of("every port", 0, 65535, 1),
        Arguments.of("all but zero", 1, 65535, 16),
        Arguments.of("worst case", 1, 65534, 30),
        Arguments.of("high half", 32768, 65535, 1),
        Arguments.of("ephemeral", 32768, 60999, 7));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ranges")
  void rangesBecomeFewBlocksThatCoverExactlyTheRange(String name, int from, int to,
      int blocks) {
    List<Traffic> prefixes = Traffic.range(Protocol.TCP, from, to);

    assertThat(prefixes).hasSize(blocks);
    BitSet covered = new BitSet(65536);
    for (Traffic block : prefixes) {
      int size = 1 << (16 - block.portBits());
      assertThat(covered.get(block.port(), block.port() + size).isEmpty()).isTrue(); // disjoint
      covered.set(block.port(), block.port() + size);
      assertThat(block.protocol()).isEqualTo(6);
    }
    BitSet expected = new BitSet(65536);
    expected.set(from, to + 1);
    assertThat(covered).isEqualTo(expected);
  }

  @Test
  void noRangeNeedsMoreThanThirtyBlocks() {
    for (int from = 0; from < 65536; from += 997) {
      for (int to = from; to < 65536; to += 1231) {
        assertThat(Traffic.range(Protocol.UDP, from, to)).hasSizeLessThanOrEqualTo(30);
      }
    }
  }

  @Test
  void keyPrefixLengths() {
    assertThat(Traffic.everything().keyPrefixLength()).isEqualTo(72);
    assertThat(Traffic.allPorts(Protocol.SCTP).keyPrefixLength()).isEqualTo(80);
    assertThat(Traffic.port(Protocol.UDP, 53).keyPrefixLength()).isEqualTo(96);
    assertThat(Traffic.range(Protocol.TCP, 80, 81).get(0).keyPrefixLength()).isEqualTo(95);
  }

  @Test
  void refusesBlocksWithBitsBeyondTheirPrefix() {
    assertThatThrownBy(() -> new Traffic(6, 81, 15)).hasMessageContaining("beyond");
    assertThatThrownBy(() -> new Traffic(Traffic.EVERY_PROTOCOL, 0, 16))
        .hasMessageContaining("prefix length");
    assertThatThrownBy(() -> Traffic.range(Protocol.TCP, 9, 8)).hasMessageContaining("range");
  }

  @Test
  void printsReadably() {
    assertThat(Traffic.everything()).hasToString("any");
    assertThat(Traffic.allPorts(Protocol.TCP)).hasToString("tcp");
    assertThat(Traffic.range(Protocol.SCTP, 3868, 3869).get(0)).hasToString("sctp/3868-3869");
    assertThat(Traffic.port(Protocol.UDP, 53)).hasToString("udp/53");
  }

  @Test
  void widerPrefixesAreEveryShorterOneThatContainsTheTraffic() {
    Traffic port = Traffic.port(Protocol.TCP, 0b1010_0000_0000_0101);
    List<Traffic> wider = port.wider();

    assertThat(wider).hasSize(17)
        .startsWith(Traffic.everything(), Traffic.allPorts(Protocol.TCP))
        .contains(new Traffic(6, 0b1000_0000_0000_0000, 1),
            new Traffic(6, 0b1010_0000_0000_0100, 15))
        .doesNotContain(port);
    for (Traffic block : wider.subList(1, wider.size())) {
      int size = 1 << (16 - block.portBits());
      assertThat(port.port()).as(block.toString())
          .isBetween(block.port(), block.port() + size - 1);
    }
    assertThat(Traffic.everything().wider()).isEmpty();
    assertThat(Traffic.allPorts(Protocol.UDP).wider()).containsExactly(Traffic.everything());
  }
}
