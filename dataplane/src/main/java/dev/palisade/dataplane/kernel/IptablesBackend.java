package dev.palisade.dataplane.kernel;

import dev.palisade.model.IpFamily;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which of the two iptables backends of a host holds its rules, and the commands that reach it.
 * A host can have rules in both (nf_tables and legacy x_tables are separate rulesets, both
 * evaluated by the kernel); Palisade must write where kube-proxy and the kubelet write, or its
 * hooks sit in a ruleset whose verdicts the rest of the host's rules never see in order. The
 * image carries both variants; the host decides.
 */
public enum IptablesBackend {
  /** Only the plain {@code iptables} commands exist (no -nft/-legacy variants): use them. */
  ONLY_ONE(""),
  NFT("-nft"),
  LEGACY("-legacy");

  /** Chains the kubelet (KUBE-KUBELET-CANARY) or kube-proxy (KUBE-IPTABLES-HINT) create. */
  private static final Pattern KUBERNETES_CANARY =
      Pattern.compile("(?m)^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY) ");
  private static final Pattern RULE = Pattern.compile("(?m)^-");

  private final String infix;

  IptablesBackend(String infix) {
    this.infix = infix;
  }

  /** e.g. {@code ip6tables-legacy-save} for (V6, "-save"); suffix "" is the plain command. */
  public String command(IpFamily family, String suffix) {
    return (family == IpFamily.V4 ? "iptables" : "ip6tables") + infix + suffix;
  }

  /**
   * The backend the host uses, decided as kube-proxy's iptables wrapper
   * (kubernetes-sigs/iptables-wrappers) decides it: the backend holding the kubelet's or
   * kube-proxy's canary chains (nf_tables first); failing that, the one holding more rules
   * (nf_tables on a tie, e.g. an empty host). A variant whose save command cannot run does not
   * exist here; with neither, the plain commands are used.
   */
  public static IptablesBackend detect(CommandRunner runner) {
    Optional<String> nft = saveAll(runner, NFT);
    Optional<String> legacy = saveAll(runner, LEGACY);
    if (nft.isEmpty() || legacy.isEmpty()) {
      return nft.isPresent() ? NFT : legacy.isPresent() ? LEGACY : ONLY_ONE;
    }
    return choose(nft.get(), legacy.get());
  }

  /** The decision on the two backends' complete save output (both families). */
  static IptablesBackend choose(String nftSave, String legacySave) {
    if (KUBERNETES_CANARY.matcher(nftSave).find()) {
      return NFT;
    }
    if (KUBERNETES_CANARY.matcher(legacySave).find()) {
      return LEGACY;
    }
    return count(RULE, legacySave) > count(RULE, nftSave) ? LEGACY : NFT;
  }

  private static long count(Pattern pattern, String text) {
    return pattern.matcher(text).results().count();
  }

  /** Every table of both families, or empty when the backend's save command cannot run. */
  private static Optional<String> saveAll(CommandRunner runner, IptablesBackend backend) {
    StringBuilder all = new StringBuilder();
    for (IpFamily family : IpFamily.values()) {
      try {
        CommandResult result = runner.run(List.of(backend.command(family, "-save")));
        if (!result.succeeded()) {
          return Optional.empty();
        }
        all.append(result.stdout());
      } catch (UncheckedIOException e) {
        return Optional.empty();
      }
    }
    return Optional.of(all.toString());
  }
}
