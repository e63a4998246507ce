package dev.palisade.agent;

import static com.google.common.base.Preconditions.checkArgument;

import dev.palisade.model.ObjectRef;
import java.time.Duration;
import java.util.Optional;

/**
 * The agent's runtime settings ({@code selfPod}: the agent's own pod when it runs in one; the
 * dataplane's own settings travel separately, in the compiler). Defaults are the CLI's and the
 * Helm chart's.
 *
 * @param readinessGrace how long syncs may fail (or wait for a complete model) after a success
 *     before the agent stops being ready ({@link SyncHealth})
 * @param stuckSyncTimeout how long one sync may run before the agent stops being live
 * @param driftCheckInterval how often a sync reads the kernel back to find and repair what
 *     others changed; the syncs between trust the kernel writer's record of its last write
 * @param rehearsals how many times the idle agent rehearses a change to one of its node's pods
 *     after its start ({@link dev.palisade.dataplane.backend.Dataplane#rehearse}), so that the
 *     JIT has compiled that path before the first real one; 0: never
 */
public record AgentSettings(
    String nodeName,
    Duration minSyncInterval,
    Duration maxSyncInterval,
    Duration driftCheckInterval,
    Duration retryInterval,
    Duration maxRetryInterval,
    Duration readinessGrace,
    Duration stuckSyncTimeout,
    String healthAddress,
    int healthPort,
    Optional<ObjectRef> selfPod,
    int rehearsals) {

  public static final Duration DEFAULT_READINESS_GRACE = Duration.ofMinutes(1);
  public static final Duration DEFAULT_STUCK_SYNC_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_DRIFT_CHECK_INTERVAL = Duration.ofSeconds(60);
  /**
   * At 10,000 pods, 300 took a local pod's compile as far down as 3,000 did (docs/performance.md,
   * "Rehearsals"), in 4–6 s of one core.
   */
  public static final int DEFAULT_REHEARSALS = 300;

  public AgentSettings {
    checkArgument(nodeName != null && !nodeName.isBlank(), "the node name must be set");
    checkArgument(healthPort >= 0 && healthPort <= 65535, "health port %s is out of range",
        healthPort);
    checkArgument(!readinessGrace.isNegative(), "the readiness grace must not be negative");
    checkArgument(!stuckSyncTimeout.isNegative() && !stuckSyncTimeout.isZero(), "the stuck-sync timeout must be positive");
    checkArgument(!driftCheckInterval.isNegative() && !driftCheckInterval.isZero(),
        "the drift-check interval must be positive");
    checkArgument(rehearsals >= 0, "the number of rehearsals must not be negative");
  }

  /** Defaults for everything but the node name. */
  public static AgentSettings defaults(String nodeName) {
    return new AgentSettings(nodeName, Duration.ZERO, Duration.ofMinutes(5),
        DEFAULT_DRIFT_CHECK_INTERVAL, Duration.ofSeconds(1), Duration.ofSeconds(30), DEFAULT_READINESS_GRACE,
        DEFAULT_STUCK_SYNC_TIMEOUT, "0.0.0.0", 9301, Optional.empty(),
        DEFAULT_REHEARSALS);
  }

  public AgentSettings withSyncIntervals(Duration min, Duration max) {
    return new AgentSettings(nodeName, min, max, driftCheckInterval, retryInterval, maxRetryInterval,
        readinessGrace, stuckSyncTimeout, healthAddress, healthPort, selfPod,
        rehearsals);
  }

  public AgentSettings withHealthTimeouts(Duration grace, Duration stuckSync) {
    return new AgentSettings(nodeName, minSyncInterval, maxSyncInterval, driftCheckInterval,
        retryInterval,
        maxRetryInterval, grace, stuckSync, healthAddress, healthPort, selfPod,
        rehearsals);
  }

  public AgentSettings withHealth(String address, int port) {
    return new AgentSettings(nodeName, minSyncInterval, maxSyncInterval, driftCheckInterval,
        retryInterval,
        maxRetryInterval, readinessGrace, stuckSyncTimeout, address, port, selfPod, rehearsals);
  }

  public AgentSettings withDriftCheckInterval(Duration interval) {
    return new AgentSettings(nodeName, minSyncInterval, maxSyncInterval, interval,
        retryInterval, maxRetryInterval, readinessGrace, stuckSyncTimeout, healthAddress,
        healthPort, selfPod, rehearsals);
  }

  /** The agent's own pod, whose DaemonSet tells it when Palisade is uninstalled. */
  public AgentSettings withSelfPod(ObjectRef pod) {
    return new AgentSettings(nodeName, minSyncInterval, maxSyncInterval, driftCheckInterval,
        retryInterval,
        maxRetryInterval, readinessGrace, stuckSyncTimeout, healthAddress, healthPort,
        Optional.of(pod), rehearsals);
  }
}
