package dev.palisade.k8s;

import dev.palisade.model.PortMatcher;
import dev.palisade.model.Protocol;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

/** One entry of a rule's {@code ports}, for {@link ModelConverter}. */
final class PolicyPortConverter {
  private PolicyPortConverter() {}

  /**
   * "protocol" defaults to TCP; no port means every port of the protocol ({@code {}} is every
   * TCP port); a number with endPort is a range; a name resolves later, per receiving pod.
   */
  static PortMatcher convert(NetworkPolicyPort written, FieldPath path,
      ModelConverter.Context context) {
    Protocol protocol = ModelConverter.protocol(written.getProtocol(), path.field("protocol"),
        context);
    IntOrString port = written.getPort();
    Integer endPort = written.getEndPort();
    if (port == null || (port.getIntVal() == null && port.getStrVal() == null)) {
      if (endPort != null) {
        throw context.error(path.field("endPort"), "may not be set without port");
      }
      return new PortMatcher.AnyPort(protocol);
    }
    if (port.getIntVal() != null) {
      int number = checkRange(port.getIntVal(), path.field("port"), context);
      if (endPort == null) {
        return PortMatcher.PortRange.single(protocol, number);
      }
      int end = checkRange(endPort, path.field("endPort"), context);
      if (end < number) {
        throw context.error(path.field("endPort"),
            "endPort " + end + " is less than port " + number);
      }
      return new PortMatcher.PortRange(protocol, number, end);
    }
    String name = port.getStrVal();
    if (name.isEmpty() || name.chars().noneMatch(Character::isLetter)) {
      throw context.error(path.field("port"), "'" + name + "' is not a port name (a name "
          + "needs a letter; write a port number without quotes)");
    }
    // The API rejects endPort next to a name; the model keeps it and lets it match nothing.
    return new PortMatcher.NamedPort(protocol, name, endPort != null);
  }

  private static int checkRange(int number, FieldPath path, ModelConverter.Context context) {
    if (number < 1 || number > 65535) {
      throw context.error(path, number + " is out of range 1-65535");
    }
    return number;
  }
}
