package dev.palisade.controller;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;

/**
 * How the controller runs.
 *
 * @param leaseNamespace namespace of the leader-election Lease
 * @param leaseName name of the Lease
 * @param identity this replica's name in the election and in Events' reportingInstance
 * @param refreshInterval how often a standing finding's Event is touched again (and every policy
 *     reconciled without an event), below the API server's Event TTL (1h by default)
 */
public record ControllerSettings(String leaseNamespace, String leaseName, String identity,
    Duration refreshInterval) {

  public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(30);

  public ControllerSettings {
    checkArgument(leaseNamespace != null && !leaseNamespace.isBlank(),
        "the lease namespace must be set");
    checkArgument(leaseName != null && !leaseName.isBlank(), "the lease name must be set");
    checkArgument(identity != null && !identity.isBlank(), "the identity must be set");
    checkArgument(refreshInterval.compareTo(Duration.ofSeconds(1)) >= 0,
        "the refresh interval must be at least 1s, got %s", refreshInterval);
  }
}
