package dev.palisade.dataplane.kernel;

import java.util.List;

/** Which iptables backend the machine's {@code iptables} binary drives. */
public enum IptablesVariant {
  NFTABLES,
  LEGACY;

  /** Asks {@code iptables --version}: "iptables v1.8.9 (nf_tables)" or "(legacy)". */
  public static IptablesVariant detect(CommandRunner runner) {
    CommandResult result = runner.run(List.of("iptables", "--version"));
    if (!result.succeeded()) {
      throw new IllegalStateException("iptables --version failed (exit " + result.exitCode()
          + "): " + result.stderr().strip() + "; is iptables installed?");
    }
    return result.stdout().contains("(legacy)") ? LEGACY : NFTABLES;
  }
}
