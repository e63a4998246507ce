package dev.palisade.scenario;

import static dev.palisade.model.testing.Builders.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.model.IpFamily;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Traffic;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProbePortTest {
  private static final Pod SERVER = pod("b").in("x").ip("10.0.0.2")
      .port("serve-80-tcp", 80, Protocol.TCP).port("dns", 53, Protocol.UDP)
      .port("alt", 8080, Protocol.UDP).build();

  static Stream<Arguments> parsing() {
    return Stream.of(
        Arguments.of("80", ProbePort.number(Protocol.TCP, 80)),
        Arguments.of("80/TCP", ProbePort.number(Protocol.TCP, 80)),
        Arguments.of("53/udp", ProbePort.number(Protocol.UDP, 53)),
        Arguments.of("9/SCTP", ProbePort.number(Protocol.SCTP, 9)),
        Arguments.of("serve-80-tcp", ProbePort.named(Protocol.TCP, "serve-80-tcp")),
        Arguments.of("dns/UDP", ProbePort.named(Protocol.UDP, "dns")),
        Arguments.of("icmp", ProbePort.icmp()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsing")
  void parsesTheCommandLineForm(String text, ProbePort expected) {
    assertThat(ProbePort.parse(text)).isEqualTo(expected);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("80/HTTP", "unknown protocol 'HTTP'"),
        Arguments.of("80/ICMP", "unknown protocol 'ICMP'"),
        Arguments.of("0", "port 0 is out of range 1-65535"),
        Arguments.of("/TCP", "'/TCP' names no port"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refusesInvalidPorts(String text, String message) {
    assertThatThrownBy(() -> ProbePort.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  static Stream<Arguments> serving() {
    return Stream.of(
        Arguments.of("served number", ProbePort.number(Protocol.TCP, 80),
            Optional.of(Traffic.of(Protocol.TCP, 80))),
        Arguments.of("number over another protocol", ProbePort.number(Protocol.UDP, 80),
            Optional.empty()),
        Arguments.of("number not declared", ProbePort.number(Protocol.TCP, 82),
            Optional.empty()),
        Arguments.of("name resolves to its number", ProbePort.named(Protocol.UDP, "alt"),
            Optional.of(Traffic.of(Protocol.UDP, 8080))),
        Arguments.of("name over another protocol", ProbePort.named(Protocol.TCP, "dns"),
            Optional.empty()),
        Arguments.of("ICMP needs no served port", ProbePort.icmp(),
            Optional.of(Traffic.icmp())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("serving")
  void sendsOnlyToServedPorts(String name, ProbePort port, Optional<Traffic> expected) {
    assertThat(port.trafficTo(SERVER)).isEqualTo(expected);
  }

  static Stream<Arguments> outside() {
    return Stream.of(
        Arguments.of("any number", ProbePort.number(Protocol.UDP, 53),
            Optional.of(Traffic.of(Protocol.UDP, 53))),
        Arguments.of("no name: names are a pod's", ProbePort.named(Protocol.UDP, "dns"),
            Optional.empty()),
        Arguments.of("ICMP", ProbePort.icmp(), Optional.of(Traffic.icmp())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outside")
  void anAddressOutsideTheClusterServesNumbersOnly(String name, ProbePort port,
      Optional<Traffic> expected) throws UnknownHostException {
    Endpoint outside = new Endpoint(InetAddress.getByName("8.8.8.8"), Optional.empty());
    assertThat(port.trafficTo(outside)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("serving")
  void aPodEndpointServesWhatItsPodServes(String name, ProbePort port,
      Optional<Traffic> expected) {
    assertThat(port.trafficTo(Endpoint.of(SERVER, IpFamily.V4))).isEqualTo(expected);
  }
}
