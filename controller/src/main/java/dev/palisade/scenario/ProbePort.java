package dev.palisade.scenario;

import static com.google.common.base.Preconditions.checkArgument;

import dev.palisade.model.ContainerPort;
import dev.palisade.model.Pod;
import dev.palisade.model.Protocol;
import dev.palisade.model.eval.Endpoint;
import dev.palisade.model.eval.Traffic;
import java.util.Optional;

/**
 * What a probe connects to: a port number or a container port name, over a protocol, or an ICMP
 * echo (no port). A name resolves against each destination's container ports, so one probe may
 * reach different numbers on different pods.
 *
 * @param number the port number, or 0 for a named port and for ICMP
 * @param name the container port name, or null
 */
public record ProbePort(Protocol protocol, int number, String name) {

  public ProbePort {
    checkArgument(protocol != null, "protocol must be set");
    if (protocol == Protocol.ICMP) {
      checkArgument(number == 0 && name == null, "an ICMP probe has no port");
    } else if (name == null) {
      checkArgument(number >= 1 && number <= 65535, "port %s is out of range 1-65535", number);
    } else {
      checkArgument(number == 0 && !name.isEmpty(), "a named probe port has no number");
    }
  }

  public static ProbePort number(Protocol protocol, int number) {
    return new ProbePort(protocol, number, null);
  }

  public static ProbePort named(Protocol protocol, String name) {
    return new ProbePort(protocol, 0, name);
  }

  public static ProbePort icmp() {
    return new ProbePort(Protocol.ICMP, 0, null);
  }

  /**
   * Parses the command line's form: {@code ICMP}, {@code 80}, {@code 80/UDP},
   * {@code serve-80-tcp} or {@code serve-80-udp/UDP}; the protocol defaults to TCP.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static ProbePort parse(String text) {
    String trimmed = text.strip();
    if (trimmed.equalsIgnoreCase("ICMP")) {
      return icmp();
    }
    int slash = trimmed.indexOf('/');
    String portText = slash < 0 ? trimmed : trimmed.substring(0, slash);
    Protocol protocol = Protocol.TCP;
    if (slash >= 0) {
      String protocolText = trimmed.substring(slash + 1);
      protocol = Protocol.parsePolicyProtocol(protocolText).orElseThrow(() ->
          new IllegalArgumentException("unknown protocol '" + protocolText
              + "'; expected TCP, UDP, SCTP (or ICMP alone)"));
    }
    checkArgument(!portText.isEmpty(), "'%s' names no port", text);
    if (portText.chars().allMatch(Character::isDigit)) {
      return number(protocol, Integer.parseInt(portText));
    }
    return named(protocol, portText);
  }

  public boolean isNamed() {
    return name != null;
  }

  /**
   * The traffic this probe sends to {@code destination}, or empty when the destination does not
   * serve the port (no container port with that number or name over the protocol): such a probe
   * is refused whatever the policies say. ICMP needs no served port.
   */
  public Optional<Traffic> trafficTo(Pod destination) {
    if (protocol == Protocol.ICMP) {
      return Optional.of(Traffic.icmp());
    }
    for (ContainerPort port : destination.ports()) {
      boolean same = port.protocol() == protocol
          && (isNamed() ? name.equals(port.name()) : port.port() == number);
      if (same) {
        return Optional.of(Traffic.of(protocol, port.port()));
      }
    }
    return Optional.empty();
  }

  /**
   * The traffic this probe sends to {@code destination}: as {@link #trafficTo(Pod)} for a pod; an
   * address outside the cluster is assumed to serve a numbered port (what it serves is not known)
   * and serves no named one, since a name resolves only against a pod's container ports.
   */
  public Optional<Traffic> trafficTo(Endpoint destination) {
    if (destination.endpointPod().isPresent()) {
      return trafficTo(destination.endpointPod().get());
    }
    if (protocol == Protocol.ICMP) {
      return Optional.of(Traffic.icmp());
    }
    return isNamed() ? Optional.empty() : Optional.of(Traffic.of(protocol, number));
  }

  @Override
  public String toString() {
    if (protocol == Protocol.ICMP) {
      return "ICMP";
    }
    return (isNamed() ? name : Integer.toString(number)) + "/" + protocol;
  }
}
