package dev.palisade.dataplane.compile;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.plan.Member;
import java.util.Locale;

/**
 * A plan member as an ipset member, in the exact text {@code ipset save} prints (compressed
 * lower-case addresses, no {@code /32} on a host range, {@code nomatch} on an except), so that
 * the writer's comparison with the kernel finds no false difference.
 */
final class SetMemberText {
  private static final String NOMATCH = " nomatch";

  private SetMemberText() {}

  static String of(Member member) {
    if (member instanceof Member.Host host) {
      return InetAddresses.toAddrString(host.address());
    }
    if (member instanceof Member.Range range) {
      return IpBlockEntries.text(range.cidr()) + (range.except() ? NOMATCH : "");
    }
    Member.HostPort hostPort = (Member.HostPort) member;
    return InetAddresses.toAddrString(hostPort.address()) + ","
        + hostPort.protocol().name().toLowerCase(Locale.ROOT) + ":" + hostPort.port();
  }
}
