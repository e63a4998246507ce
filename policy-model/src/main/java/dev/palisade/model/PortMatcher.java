package dev.palisade.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * One entry of a rule's {@code ports}. The protocol defaults to TCP where the policy leaves it
 * out; {@code ports: [{}]} is an entry that matches every TCP port.
 */
public sealed interface PortMatcher {

  Protocol protocol();

  /**
   * Whether traffic of this protocol to this port matches, on a receiving pod with these
   * container ports (empty when the receiver is not a pod).
   */
  boolean matches(Protocol protocol, int port, List<ContainerPort> receiverPorts);

  /** {@code protocol} with no port: every port of that protocol. */
  record AnyPort(Protocol protocol) implements PortMatcher {
    public AnyPort {
      checkArgument(protocol.isPolicyProtocol(), "%s is not a policy protocol", protocol);
    }

    @Override
    public boolean matches(Protocol trafficProtocol, int port, List<ContainerPort> receiverPorts) {
      return trafficProtocol == protocol;
    }

    @Override
    public String toString() {
      return "any/" + protocol;
    }
  }

  /** A port number, or with {@code endPort} the inclusive range {@code port..endPort}. */
  record PortRange(Protocol protocol, int port, int endPort) implements PortMatcher {
    public PortRange {
      checkArgument(protocol.isPolicyProtocol(), "%s is not a policy protocol", protocol);
      checkArgument(port >= 1 && port <= 65535, "port %s is out of range 1-65535", port);
      checkArgument(endPort >= port && endPort <= 65535,
          "endPort %s must be between port %s and 65535", endPort, port);
    }

    public static PortRange single(Protocol protocol, int port) {
      return new PortRange(protocol, port, port);
    }

    public boolean isSingle() {
      return port == endPort;
    }

    public boolean contains(int number) {
      return number >= port && number <= endPort;
    }

    @Override
    public boolean matches(Protocol trafficProtocol, int number,
        List<ContainerPort> receiverPorts) {
      return trafficProtocol == protocol && contains(number);
    }

    @Override
    public String toString() {
      return (isSingle() ? Integer.toString(port) : port + "-" + endPort) + "/" + protocol;
    }
  }

  /**
   * A container port name. It resolves against the container ports of the pod that receives the
   * traffic, so it may mean different numbers for different pods, and nothing for a pod that
   * does not declare it. {@code withEndPort} records an {@code endPort} written next to a name:
   * the API rejects that shape, and we fail closed by letting it match nothing.
   */
  record NamedPort(Protocol protocol, String name, boolean withEndPort) implements PortMatcher {
    public NamedPort {
      checkArgument(protocol.isPolicyProtocol(), "%s is not a policy protocol", protocol);
      checkArgument(name != null && !name.isEmpty(), "port name must not be empty");
    }

    public NamedPort(Protocol protocol, String name) {
      this(protocol, name, false);
    }

    /** The number this name has on a receiving pod with these ports, or -1 for none. */
    public int resolve(List<ContainerPort> receiverPorts) {
      if (withEndPort) {
        return -1;
      }
      for (ContainerPort port : receiverPorts) {
        if (name.equals(port.name()) && protocol == port.protocol()) {
          return port.port();
        }
      }
      return -1;
    }

    @Override
    public boolean matches(Protocol trafficProtocol, int port, List<ContainerPort> receiverPorts) {
      return trafficProtocol == protocol && resolve(receiverPorts) == port;
    }

    @Override
    public String toString() {
      return name + "/" + protocol;
    }
  }
}
