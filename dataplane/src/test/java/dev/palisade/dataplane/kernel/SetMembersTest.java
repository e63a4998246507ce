package dev.palisade.dataplane.kernel;

import static dev.palisade.dataplane.state.IpSetType.HASH_IP;
import static dev.palisade.dataplane.state.IpSetType.HASH_IP_PORT;
import static dev.palisade.dataplane.state.IpSetType.HASH_NET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.dataplane.state.IpSetType;
import dev.palisade.model.IpFamily;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SetMembersTest {
  static Stream<Arguments> canonical() {
    return Stream.of(
        Arguments.of("v4 address", HASH_IP, IpFamily.V4, "10.0.1.10", "10.0.1.10"),
        Arguments.of("v6 address compressed", HASH_IP, IpFamily.V6, "FD00:99:0:0::1",
            "fd00:99::1"),
        Arguments.of("host network drops /32", HASH_NET, IpFamily.V4, "10.0.2.1/32", "10.0.2.1"),
        Arguments.of("network masked", HASH_NET, IpFamily.V4, "10.0.1.5/24", "10.0.1.0/24"),
        Arguments.of("except keeps nomatch", HASH_NET, IpFamily.V4, "10.0.1.0/24 nomatch",
            "10.0.1.0/24 nomatch"),
        Arguments.of("v6 network", HASH_NET, IpFamily.V6, "fd00:99::1/64", "fd00:99::/64"),
        Arguments.of("v6 host drops /128", HASH_NET, IpFamily.V6, "fd00::1/128", "fd00::1"),
        Arguments.of("address and port", HASH_IP_PORT, IpFamily.V4, "10.0.1.10,TCP:8080",
            "10.0.1.10,tcp:8080"),
        Arguments.of("v6 address and port", HASH_IP_PORT, IpFamily.V6, "fd00::0:2,udp:53",
            "fd00::2,udp:53"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("canonical")
  void writesMembersAsIpsetSavePrintsThem(String name, IpSetType type, IpFamily family,
      String member, String expected) {
    assertThat(SetMembers.canonical("pal-s", type, family, member)).isEqualTo(expected);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("wrong family", HASH_IP, IpFamily.V4, "fd00::1", "not V4"),
        Arguments.of("not an address", HASH_IP, IpFamily.V4, "pod-a", "not an IP address"),
        Arguments.of("nomatch outside hash:net", HASH_IP, IpFamily.V4, "10.0.0.1 nomatch",
            "nomatch"),
        Arguments.of("prefix too long", HASH_NET, IpFamily.V4, "10.0.0.0/33", "prefix length"),
        Arguments.of("port missing", HASH_IP_PORT, IpFamily.V4, "10.0.0.1", "address,proto:port"),
        Arguments.of("bad protocol", HASH_IP_PORT, IpFamily.V4, "10.0.0.1,icmp:8", "protocol"),
        Arguments.of("port out of range", HASH_IP_PORT, IpFamily.V4, "10.0.0.1,tcp:70000",
            "port out of range"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsBadMembersNamingSetAndMember(String name, IpSetType type, IpFamily family,
      String member, String why) {
    assertThatThrownBy(() -> SetMembers.canonical("pal-s", type, family, member))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pal-s").hasMessageContaining(member).hasMessageContaining(why);
  }
}
