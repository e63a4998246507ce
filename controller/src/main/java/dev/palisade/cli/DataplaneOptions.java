package dev.palisade.cli;

import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.DenyAction;
import picocli.CommandLine.Option;

/** The dataplane's settings as options; shared by {@code agent}, {@code render}, {@code demo}. */
final class DataplaneOptions {
  @Option(names = "--deny-action", defaultValue = "DROP", paramLabel = "DROP|REJECT",
      description = "What happens to denied packets: DROP (silently) or REJECT (TCP reset, ICMP "
          + "port unreachable otherwise). Default: ${DEFAULT-VALUE}.")
  DenyAction denyAction;

  @Option(names = "--allow-node-to-pods", defaultValue = "true", arity = "1",
      paramLabel = "true|false",
      description = "Allow traffic from the node itself to its pods (kubelet probes) whatever "
          + "the policies say. Default: ${DEFAULT-VALUE}.")
  boolean allowNodeToPods;

  @Option(names = "--log-denied", defaultValue = "false", arity = "1",
      paramLabel = "true|false",
      description = "Send denied packets to NFLOG (rate-limited), prefixed with the pod or "
          + "policy. Default: ${DEFAULT-VALUE}.")
  boolean logDenied;

  @Option(names = "--nflog-group", defaultValue = "100", paramLabel = "N",
      description = "NFLOG group for denied packets. Default: ${DEFAULT-VALUE}.")
  int nflogGroup;

  @Option(names = "--log-rate", defaultValue = "10", paramLabel = "PER_SECOND",
      description = "At most this many denied packets logged per second per pod, bursts of "
          + "twice that. Default: ${DEFAULT-VALUE}.")
  int logRate;

  DataplaneSettings settings() {
    DataplaneSettings settings = DataplaneSettings.DEFAULTS
        .withDenyAction(denyAction)
        .withAllowNodeToPods(allowNodeToPods);
    return logDenied
        ? settings.withDenyLog(new DataplaneSettings.DenyLog(nflogGroup, logRate, 2 * logRate))
        : settings;
  }

}
