package dev.palisade.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # text             | family | prefix | written           | network        | host bits
      10.0.0.0/8         | V4     | 8      | 10.0.0.0/8        | 10.0.0.0       | false
      10.1.2.3/8         | V4     | 8      | 10.1.2.3/8        | 10.0.0.0       | true
      ' 192.168.1.0/24 ' | V4     | 24     | 192.168.1.0/24    | 192.168.1.0    | false
      0.0.0.0/0          | V4     | 0      | 0.0.0.0/0         | 0.0.0.0        | false
      10.0.0.7           | V4     | 32     | 10.0.0.7/32       | 10.0.0.7       | false
      10.0.0.7/31        | V4     | 31     | 10.0.0.7/31       | 10.0.0.6       | true
      fd00::/64          | V6     | 64     | fd00::/64         | fd00::         | false
      2001:db8::1/32     | V6     | 32     | 2001:db8::1/32    | 2001:db8::     | true
      2001:DB8::1        | V6     | 128    | 2001:db8::1/128   | 2001:db8::1    | false
      ::/0               | V6     | 0      | ::/0              | ::             | false
      """)
  void parses(String text, IpFamily family, int prefix, String written, String network,
      boolean hostBits) {
    Cidr cidr = Cidr.parse(text);

    assertThat(cidr.family()).isEqualTo(family);
    assertThat(cidr.prefixLength()).isEqualTo(prefix);
    assertThat(cidr).hasToString(written);
    assertThat(cidr.network()).isEqualTo(InetAddresses.forString(network));
    assertThat(cidr.hasHostBits()).isEqualTo(hostBits);
    assertThat(cidr.normalized()).hasToString(InetAddresses.toAddrString(cidr.network()) + "/"
        + prefix);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      10.0.0.0/33      | prefix 33 is out of range 0-32
      fd00::/129       | prefix 129 is out of range 0-128
      10.0.0.0/-1      | prefix -1 is out of range 0-32
      10.0.0.0/        | prefix '' is not a number
      10.0.0.0/8/9     | prefix '8/9' is not a number
      10.0.0.0/abc     | prefix 'abc' is not a number
      10.0.0/8         | '10.0.0' is not an IP address
      300.0.0.0/8      | '300.0.0.0' is not an IP address
      example.com/24   | 'example.com' is not an IP address
      garbage          | 'garbage' is not an IP address
      /8               | '' is not an IP address
      """)
  void rejectsWithAMessageNamingTheProblem(String text, String problem) {
    assertThatThrownBy(() -> Cidr.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "' is not a valid CIDR")
        .hasMessageContaining(problem);
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(value = {"''", "'   '"})
  void rejectsEmptyText(String text) {
    assertThatThrownBy(() -> Cidr.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CIDR must not be empty");
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
      "10.0.0.0/8, 10.255.255.255, true",
      "10.0.0.0/8, 11.0.0.0, false",
      "10.1.2.3/8, 10.9.9.9, true",
      "10.0.0.0/31, 10.0.0.1, true",
      "10.0.0.0/31, 10.0.0.2, false",
      "0.0.0.0/0, 203.0.113.9, true",
      "0.0.0.0/0, ::1, false",
      "::/0, 10.0.0.1, false",
      "fd00::/16, fd00:1::9, true",
      "fd00::/17, fd00:8000::, false",
      "10.0.0.7, 10.0.0.7, true",
      "10.0.0.7, 10.0.0.8, false",
  })
  void containsAnAddressOnlyOfItsFamilyWithinThePrefix(String cidr, String address,
      boolean contained) {
    assertThat(Cidr.parse(cidr).contains(InetAddresses.forString(address)))
        .isEqualTo(contained);
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
      "10.0.0.0/8, 10.1.0.0/16, true",
      "10.0.0.0/8, 10.0.0.0/8, true",
      "10.1.0.0/16, 10.0.0.0/8, false",
      "10.0.0.0/8, 11.0.0.0/16, false",
      "0.0.0.0/0, ::/0, false",
      "fd00::/16, fd00:0:1::/48, true",
  })
  void containsABlock(String outer, String inner, boolean contained) {
    assertThat(Cidr.parse(outer).contains(Cidr.parse(inner))).isEqualTo(contained);
  }

  @ParameterizedTest(name = "{0} < {1}")
  @CsvSource({
      "10.0.0.0/8, 10.0.0.0/16",
      "10.0.0.0/16, 10.1.0.0/16",
      "9.255.0.0/16, 10.0.0.0/8",
      "255.0.0.0/8, ::/0",
  })
  void ordersByFamilyThenNetworkThenPrefix(String lower, String higher) {
    assertThat(Cidr.parse(lower)).isLessThan(Cidr.parse(higher));
  }
}
