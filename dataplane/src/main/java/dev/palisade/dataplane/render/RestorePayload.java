package dev.palisade.dataplane.render;

import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.state.HookSpec;
import dev.palisade.dataplane.state.IpSetSpec;
import dev.palisade.dataplane.state.Names;
import dev.palisade.model.IpFamily;

/**
 * The complete state of one family as restore input: {@code ipsetRestore} creates every set and
 * adds every member ({@code -exist} makes it safe to repeat), {@code iptablesRestore} declares
 * every Palisade chain of the filter table, inserts the hooks at their positions and appends the
 * chain rules. Chains and sets are sorted by name and members sorted, so the text is
 * deterministic. Sets come first when applying: the rules reference them.
 */
public record RestorePayload(IpFamily family, String ipsetRestore, String iptablesRestore) {

  public static RestorePayload of(FamilyState state) {
    return new RestorePayload(state.family(), ipset(state), iptables(state));
  }

  private static String ipset(FamilyState state) {
    String family = state.family() == IpFamily.V4 ? "inet" : "inet6";
    StringBuilder out = new StringBuilder();
    for (IpSetSpec set : state.sets().values()) {
      out.append("create ").append(set.name()).append(' ').append(set.type().kernelName())
          .append(" family ").append(family).append(" maxelem ").append(set.maxElements())
          .append(' ').append(Names.SET_OWNERSHIP_MARKER).append(" -exist\n");
      for (String member : set.members()) {
        out.append("add ").append(set.name()).append(' ').append(member).append(" -exist\n");
      }
    }
    return out.toString();
  }

  private static String iptables(FamilyState state) {
    StringBuilder out = new StringBuilder("*filter\n");
    for (String chain : state.chains().keySet()) {
      out.append(':').append(chain).append(" - [0:0]\n");
    }
    for (HookSpec hook : state.hooks()) {
      out.append("-I ").append(hook.builtinChain()).append(' ').append(hook.position())
          .append(' ').append(hook.rule()).append('\n');
    }
    for (ChainSpec chain : state.chains().values()) {
      for (String rule : chain.rules()) {
        out.append("-A ").append(chain.name()).append(' ').append(rule).append('\n');
      }
    }
    return out.append("COMMIT\n").toString();
  }

  /** Both payloads with headers, as {@code palisade render} prints them for one family. */
  public String describe() {
    String number = Integer.toString(family.number());
    return "# ipset restore (IPv" + number + ")\n" + ipsetRestore
        + "# iptables-restore (IPv" + number + ")\n" + iptablesRestore;
  }
}
