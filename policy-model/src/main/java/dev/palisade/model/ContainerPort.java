package dev.palisade.model;

import static com.google.common.base.Preconditions.checkArgument;

/** A container port a pod declares; {@code name} is null for an unnamed port. */
public record ContainerPort(String name, int port, Protocol protocol) {
  public ContainerPort {
    checkArgument(port >= 1 && port <= 65535, "containerPort %s is out of range 1-65535", port);
    checkArgument(protocol.isPolicyProtocol(), "%s is not a container port protocol", protocol);
    name = name == null || name.isEmpty() ? null : name;
  }
}
