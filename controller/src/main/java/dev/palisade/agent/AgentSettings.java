package dev.palisade.agent;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;

/**
 * The agent's runtime settings (the dataplane's own settings travel separately, in the
 * compiler). Defaults are the CLI's and the Helm chart's.
 */
public record AgentSettings(
    String nodeName,
    Duration minSyncInterval,
    Duration maxSyncInterval,
    Duration retryInterval,
    Duration maxRetryInterval,
    Duration cacheSyncTimeout,
    String healthAddress,
    int healthPort) {

  public AgentSettings {
    checkArgument(nodeName != null && !nodeName.isBlank(), "the node name must be set");
    checkArgument(healthPort >= 0 && healthPort <= 65535, "health port %s is out of range",
        healthPort);
  }

  /** Defaults for everything but the node name. */
  public static AgentSettings defaults(String nodeName) {
    return new AgentSettings(nodeName, Duration.ofSeconds(1), Duration.ofMinutes(5),
        Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(2), "0.0.0.0", 9301);
  }

  public AgentSettings withSyncIntervals(Duration min, Duration max) {
    return new AgentSettings(nodeName, min, max, retryInterval, maxRetryInterval,
        cacheSyncTimeout, healthAddress, healthPort);
  }

  public AgentSettings withHealth(String address, int port) {
    return new AgentSettings(nodeName, minSyncInterval, maxSyncInterval, retryInterval,
        maxRetryInterval, cacheSyncTimeout, address, port);
  }
}
