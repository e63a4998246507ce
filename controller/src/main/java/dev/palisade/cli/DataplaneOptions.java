package dev.palisade.cli;

import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.DenyAction;
import dev.palisade.model.Cidr;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The dataplane's settings as options; shared by {@code agent}, {@code render}, {@code demo}. */
final class DataplaneOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

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
      converter = IntRangeConverter.NflogGroup.class,
      description = "NFLOG group for denied packets. Default: ${DEFAULT-VALUE}.")
  int nflogGroup;

  @Option(names = "--log-rate", defaultValue = "10/second", paramLabel = "N/second",
      converter = RateConverter.class,
      description = "At most N denied packets logged per second per pod, bursts of twice that; "
          + "N is at most " + RateConverter.MAX_PER_SECOND + ". Default: ${DEFAULT-VALUE}.")
  int logRate;

  @Option(names = "--mark-bit", defaultValue = "0x10000", paramLabel = "0xBIT",
      converter = MarkBitConverter.class,
      description = "The one packet-mark bit that carries \"allowed\" from a policy chain back to "
          + "its pod chain. Must be free: not kube-proxy's 0x4000 or 0x8000, nor a bit the CNI "
          + "or another component uses. Default: ${DEFAULT-VALUE}.")
  int markBit;

  @Option(names = "--fail-closed", defaultValue = "false", arity = "1",
      paramLabel = "true|false",
      description = "Deny traffic from and to addresses of this node's pod CIDRs that no known "
          + "pod holds, until the agent has programmed the pod (a new pod starts cut off "
          + "instead of open). Default: ${DEFAULT-VALUE}.")
  boolean failClosed;

  @Option(names = "--pod-cidr", split = ",", paramLabel = "CIDR",
      converter = CidrConverter.class,
      description = "This node's pod CIDRs for --fail-closed. Default: the Node's "
          + "spec.podCIDRs.")
  List<Cidr> podCidrs;

  /**
   * The settings; {@code nodePodCidrs} answers the node's pod CIDRs when fail-closed needs them
   * and {@code --pod-cidr} does not give them.
   */
  DataplaneSettings settings(Supplier<List<Cidr>> nodePodCidrs) {
    return settings(nodePodCidrs, true);
  }

  private DataplaneSettings settings(Supplier<List<Cidr>> nodePodCidrs,
      boolean nodePodCidrsKnown) {
    DataplaneSettings settings = DataplaneSettings.DEFAULTS
        .withDenyAction(denyAction)
        .withAllowNodeToPods(allowNodeToPods)
        .withMarkBit(markBit);
    if (logDenied) {
      settings = settings.withDenyLog(
          new DataplaneSettings.DenyLog(nflogGroup, logRate, 2 * logRate));
    }
    if (failClosed) {
      List<Cidr> cidrs = podCidrs != null ? podCidrs : nodePodCidrs.get();
      if (cidrs.isEmpty()) {
        throw new ParameterException(command.commandLine(), "--fail-closed=true needs this "
            + "node's pod CIDRs: give them with --pod-cidr" + (nodePodCidrsKnown
                ? " (the Node has no spec.podCIDRs)" : ""));
      }
      settings = settings.withFailClosed(cidrs);
    }
    return settings;
  }

  /** For commands without a cluster (render): fail-closed needs --pod-cidr there. */
  DataplaneSettings settings() {
    return settings(List::of, false);
  }

}
