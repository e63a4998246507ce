package dev.palisade.dataplane.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jnr.posix.POSIX;

/**
 * Checked once at start: programming iptables and ipsets needs CAP_NET_ADMIN. Root (effective
 * uid 0, from jnr-posix) has it; otherwise the effective capability mask in
 * {@code /proc/self/status} must carry bit 12. Fails with an error that says what to grant.
 */
public final class PrivilegeCheck {
  private static final int CAP_NET_ADMIN = 12;

  private PrivilegeCheck() {}

  public static void requireNetAdmin(POSIX posix) {
    requireNetAdmin(posix.geteuid(), Path.of("/proc/self/status"));
  }

  static void requireNetAdmin(int effectiveUid, Path procStatus) {
    if (effectiveUid == 0 || hasNetAdmin(procStatus)) {
      return;
    }
    throw new IllegalStateException("Palisade programs iptables and ipsets and needs root or "
        + "CAP_NET_ADMIN, but runs with effective uid " + effectiveUid
        + " without it (run as root, or grant NET_ADMIN to the container)");
  }

  static boolean hasNetAdmin(Path procStatus) {
    List<String> lines;
    try {
      lines = Files.readAllLines(procStatus);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + procStatus, e);
    }
    return lines.stream().filter(line -> line.startsWith("CapEff:")).findFirst()
        .map(line -> Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16))
        .map(mask -> (mask & (1L << CAP_NET_ADMIN)) != 0)
        .orElse(false);
  }
}
