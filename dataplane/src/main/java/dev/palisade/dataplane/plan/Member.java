package dev.palisade.dataplane.plan;

import dev.palisade.model.Cidr;
import dev.palisade.model.Protocol;
import java.net.InetAddress;
import java.util.Objects;

/** One member of a peer class, in one IP family. */
public sealed interface Member {

  /**
   * A pod's address. Not a record: a pod event at 10,000 pods compares and hashes the members of
   * each class it touches, up to thousands, and a record's hash reads the address's bytes
   * through two more objects each time; this one keeps its hash, and the planner hands the
   * same object out while its pod keeps the address, so equality is mostly identity.
   */
  final class Host implements Member {
    private final InetAddress address;
    private final int hash;

    public Host(InetAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      this.hash = address.hashCode();
    }

    public InetAddress address() {
      return address;
    }

    @Override
    public boolean equals(Object other) {
      return this == other || other instanceof Host host && hash == host.hash
          && address.equals(host.address);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return "Host[address=" + address + "]";
    }
  }

  /**
   * An address range of an ipBlock. Ranges of one class are looked up by longest prefix: an
   * address belongs to the class when the most specific range that contains it is not an
   * {@code except}.
   */
  record Range(Cidr cidr, boolean except) implements Member {}

  /** A pod's address with the number a port name resolved to on that pod. */
  record HostPort(InetAddress address, Protocol protocol, int port) implements Member {}
}
