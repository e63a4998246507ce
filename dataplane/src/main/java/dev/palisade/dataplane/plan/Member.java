package dev.palisade.dataplane.plan;

import dev.palisade.model.Cidr;
import dev.palisade.model.Protocol;
import java.net.InetAddress;

/** One member of a peer class, in one IP family. */
public sealed interface Member {

  /** A pod's address. */
  record Host(InetAddress address) implements Member {}

  /**
   * An address range of an ipBlock. Ranges of one class are looked up by longest prefix: an
   * address belongs to the class when the most specific range that contains it is not an
   * {@code except}.
   */
  record Range(Cidr cidr, boolean except) implements Member {}

  /** A pod's address with the number a port name resolved to on that pod. */
  record HostPort(InetAddress address, Protocol protocol, int port) implements Member {}
}
