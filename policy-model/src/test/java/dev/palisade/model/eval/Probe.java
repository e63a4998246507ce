package dev.palisade.model.eval;

import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;

/**
 * One connection a semantics case expects to be allowed or denied. Ends are {@code ns/pod} or
 * an IP literal (see {@link dev.palisade.model.testing.TestCluster#endpoint}).
 */
record Probe(String from, String to, Traffic traffic, IpFamily family, boolean allowed) {

  static final Traffic TCP_80 = Traffic.of(Protocol.TCP, 80);
  static final Traffic UDP_80 = Traffic.of(Protocol.UDP, 80);
  static final Traffic UDP_81 = Traffic.of(Protocol.UDP, 81);
  static final Traffic SCTP_80 = Traffic.of(Protocol.SCTP, 80);
  static final Traffic ICMP = Traffic.icmp();

  static Probe allowed(String from, String to, Traffic traffic) {
    return new Probe(from, to, traffic, IpFamily.V4, true);
  }

  static Probe denied(String from, String to, Traffic traffic) {
    return new Probe(from, to, traffic, IpFamily.V4, false);
  }

  static Traffic tcpTraffic(int port) {
    return Traffic.of(Protocol.TCP, port);
  }

  static Traffic udpTraffic(int port) {
    return Traffic.of(Protocol.UDP, port);
  }

  /** The same probe between the pods' IPv6 addresses. */
  Probe v6() {
    return new Probe(from, to, traffic, IpFamily.V6, allowed);
  }

  @Override
  public String toString() {
    return from + " -> " + to + " " + traffic + (family == IpFamily.V6 ? " (IPv6)" : "")
        + " should be " + (allowed ? "allowed" : "denied");
  }
}
