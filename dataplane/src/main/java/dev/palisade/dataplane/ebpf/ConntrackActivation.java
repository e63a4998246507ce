package dev.palisade.dataplane.ebpf;

import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import dev.palisade.dataplane.kernel.IptablesBackend;
import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.IpFamily;
import java.util.List;

/**
 * The one iptables rule the eBPF backend owns: a count-only rule (no target, so it decides
 * nothing) in FORWARD that matches on conntrack state. A rule that needs conntrack is what makes
 * the kernel track connections in a network namespace; without tracking, the program's {@code
 * bpf_skb_ct_lookup} finds no connection and replies would be judged as new traffic. A node whose
 * kube-proxy or CNI uses conntrack tracks already; the rule makes it independent of them. One per
 * family and installation, told apart by its comment; {@link #remove} deletes exactly it.
 */
final class ConntrackActivation {
  private final CommandRunner node;
  private final IptablesBackend iptables;
  private final String comment;

  ConntrackActivation(CommandRunner node, IptablesBackend iptables, Installation installation) {
    this.node = node;
    this.iptables = iptables;
    this.comment = "palisade" + installation.id() + " ebpf: activates conntrack";
  }

  /** Appends the rule in each family where it is missing; returns how many it appended. */
  int ensure() {
    int appended = 0;
    for (IpFamily family : IpFamily.values()) {
      if (!present(family)) {
        run(family, "-A");
        appended++;
      }
    }
    return appended;
  }

  /** Deletes the rule wherever it is (every copy); returns how many it deleted. */
  int remove() {
    int deleted = 0;
    for (IpFamily family : IpFamily.values()) {
      while (present(family)) {
        run(family, "-D");
        deleted++;
      }
    }
    return deleted;
  }

  private boolean present(IpFamily family) {
    CommandResult result = node.run(argv(family, "-C"));
    if (result.exitCode() > 1) {
      throw new IllegalStateException(String.join(" ", argv(family, "-C")) + " failed (exit "
          + result.exitCode() + "): " + result.stderr().strip());
    }
    return result.succeeded();
  }

  private void run(IpFamily family, String operation) {
    CommandResult result = node.run(argv(family, operation));
    if (!result.succeeded()) {
      throw new IllegalStateException(String.join(" ", argv(family, operation)) + " failed (exit "
          + result.exitCode() + "): " + result.stderr().strip());
    }
  }

  private List<String> argv(IpFamily family, String operation) {
    return List.of(iptables.command(family, ""), "-w", operation, "FORWARD", "-m", "conntrack",
        "--ctstate", "NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED", "-m", "comment", "--comment",
        comment);
  }
}
