package dev.palisade.dataplane.kernel;

import dev.palisade.model.IpFamily;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine's iptables: backend and version, which decide how the writer locks.
 *
 * <ul>
 *   <li>nf_tables (this project's target, 1.8.x): each restore is one atomic netlink
 *       transaction; {@code /run/xtables.lock} is ignored and {@code --wait} is all it needs.
 *   <li>legacy from 1.6.2 on: {@code iptables-restore} takes the xtables lock itself (checked
 *       with 1.8.9: it blocked on a held lock even without {@code --wait}), so the writer passes
 *       {@code --wait} and must not hold the lock around it, or it would wait for itself.
 *   <li>legacy before 1.6.2: restore neither locks nor knows {@code --wait}; the writer holds
 *       the lock itself across read, diff and restore ({@link XtablesLock}).
 * </ul>
 */
public record IptablesVersion(boolean legacy, int major, int minor, int patch) {
  private static final Pattern VERSION =
      Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)(?:\\s+\\((\\S+)\\))?");

  /** Asks the backend's {@code iptables --version}: "iptables v1.8.9 (nf_tables)" or "(legacy)". */
  public static IptablesVersion detect(CommandRunner runner, IptablesBackend backend) {
    String command = backend.command(IpFamily.V4, "");
    CommandResult result = runner.run(List.of(command, "--version"));
    if (!result.succeeded()) {
      throw new IllegalStateException(command + " --version failed (exit " + result.exitCode()
          + "): " + result.stderr().strip() + "; is iptables installed?");
    }
    return parse(result.stdout());
  }

  static IptablesVersion parse(String versionOutput) {
    Matcher matcher = VERSION.matcher(versionOutput);
    if (!matcher.find()) {
      throw new IllegalArgumentException("cannot read an iptables version from '"
          + versionOutput.strip() + "'");
    }
    boolean nftables = "nf_tables".equals(matcher.group(4));
    return new IptablesVersion(!nftables, Integer.parseInt(matcher.group(1)),
        Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)));
  }

  /** Whether {@code iptables-restore} takes (or, for nf_tables, does not need) the lock. */
  public boolean restoreLocksItself() {
    return !legacy || compareTo(1, 6, 2) >= 0;
  }

  private int compareTo(int otherMajor, int otherMinor, int otherPatch) {
    if (major != otherMajor) {
      return Integer.compare(major, otherMajor);
    }
    return minor != otherMinor ? Integer.compare(minor, otherMinor)
        : Integer.compare(patch, otherPatch);
  }
}
