package dev.palisade.dataplane.compile;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.Cidr;
import java.util.List;
import java.util.Optional;

/**
 * How a node enforces policy.
 *
 * @param denyAction what happens to denied packets
 * @param allowNodeToPods whether traffic the node itself sends to its pods (kubelet probes) is
 *     allowed regardless of policy; when false, ingress rules apply to it with the node as an
 *     external source
 * @param denyLog rate-limited NFLOG of denied packets, if wanted
 * @param failClosedPodCidrs the node's pod CIDRs when new pods fail closed: traffic from or to an
 *     address of these blocks that no known local pod holds (a pod the agent has not programmed
 *     yet) is denied; empty to let it through until the pod is known (the default)
 * @param strictTcpPickup drop TCP packets that conntrack would pick up in the middle of a
 *     connection (state NEW without SYN): what makes a deleted conntrack entry (conntrack purge)
 *     end the connection, instead of its next reply re-creating the entry in the opposite
 *     direction, which the policies may allow
 * @param markBit the one packet-mark bit Palisade uses to carry "allowed" from the policy chains
 *     back to the pod chain within one pass (it must not collide with kube-proxy's 0x4000 and
 *     0x8000 or another component's bits)
 * @param installation whose chains and sets these are (their prefixes)
 */
public record DataplaneSettings(DenyAction denyAction, boolean allowNodeToPods,
    Optional<DenyLog> denyLog, ImmutableList<Cidr> failClosedPodCidrs, boolean strictTcpPickup,
    int markBit, Installation installation) {

  public static final int DEFAULT_MARK_BIT = 0x10000;
  public static final DataplaneSettings DEFAULTS =
      new DataplaneSettings(DenyAction.DROP, true, Optional.empty(), ImmutableList.of(), false,
          DEFAULT_MARK_BIT, Installation.DEFAULT);

  public DataplaneSettings {
    checkArgument(denyAction != null, "deny action must be set");
    checkArgument(denyLog != null, "deny log must be present or empty");
    failClosedPodCidrs = ImmutableList.copyOf(failClosedPodCidrs);
    checkArgument(Integer.bitCount(markBit) == 1, "mark bit 0x%s must have exactly one bit set",
        Integer.toHexString(markBit));
    checkArgument(installation != null, "installation must be set");
  }

  public DataplaneSettings withDenyAction(DenyAction action) {
    return new DataplaneSettings(action, allowNodeToPods, denyLog, failClosedPodCidrs,
        strictTcpPickup, markBit, installation);
  }

  public DataplaneSettings withAllowNodeToPods(boolean allow) {
    return new DataplaneSettings(denyAction, allow, denyLog, failClosedPodCidrs, strictTcpPickup,
        markBit, installation);
  }

  /** See {@code installation}: which prefixes the compiled chains and sets carry. */
  public DataplaneSettings withInstallation(Installation owner) {
    return new DataplaneSettings(denyAction, allowNodeToPods, denyLog, failClosedPodCidrs,
        strictTcpPickup, markBit, owner);
  }

  /** See {@code markBit}: for hosts where another component already uses the default bit. */
  public DataplaneSettings withMarkBit(int bit) {
    return new DataplaneSettings(denyAction, allowNodeToPods, denyLog, failClosedPodCidrs,
        strictTcpPickup, bit, installation);
  }

  public DataplaneSettings withDenyLog(DenyLog log) {
    return new DataplaneSettings(denyAction, allowNodeToPods, Optional.of(log),
        failClosedPodCidrs, strictTcpPickup, markBit, installation);
  }

  /** New pods of these node pod CIDRs fail closed until they are known; see the record. */
  public DataplaneSettings withFailClosed(List<Cidr> podCidrs) {
    return new DataplaneSettings(denyAction, allowNodeToPods, denyLog,
        ImmutableList.copyOf(podCidrs), strictTcpPickup, markBit, installation);
  }

  /** See {@code strictTcpPickup}: on with conntrack purge. */
  public DataplaneSettings withStrictTcpPickup(boolean strict) {
    return new DataplaneSettings(denyAction, allowNodeToPods, denyLog, failClosedPodCidrs, strict,
        markBit, installation);
  }

  /**
   * NFLOG of denied packets to netlink group {@code group}, at most {@code perSecond} per second
   * per pod chain with bursts of {@code burst}.
   */
  public record DenyLog(int group, int perSecond, int burst) {
    public DenyLog {
      checkArgument(group >= 0 && group <= 65535, "NFLOG group %s is out of range 0-65535", group);
      checkArgument(perSecond >= 1, "deny log rate must be at least 1/sec, got %s", perSecond);
      checkArgument(burst >= 1, "deny log burst must be at least 1, got %s", burst);
    }
  }
}
