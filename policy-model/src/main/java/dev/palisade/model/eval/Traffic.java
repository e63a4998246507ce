package dev.palisade.model.eval;

import static com.google.common.base.Preconditions.checkArgument;

import dev.palisade.model.Protocol;

/** What a connection carries: a protocol and, except for ICMP, a destination port. */
public record Traffic(Protocol protocol, int port) {
  public Traffic {
    checkArgument(protocol == Protocol.ICMP ? port == 0 : port >= 1 && port <= 65535,
        "port %s is not valid for %s", port, protocol);
  }

  public static Traffic of(Protocol protocol, int port) {
    return new Traffic(protocol, port);
  }

  public static Traffic icmp() {
    return new Traffic(Protocol.ICMP, 0);
  }

  @Override
  public String toString() {
    return protocol == Protocol.ICMP ? "ICMP" : port + "/" + protocol;
  }
}
