package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.model.IpFamily;

/**
 * Reads the rule packet counters of a node's pod chains: one {@code iptables-save -c -t filter}
 * per family that has pod chains (nothing for a family without), no lock (saving reads, and the
 * counters are never reset). Not for the sync path: it runs when metrics are scraped.
 */
public final class PacketCounterReader {
  private final CommandRunner runner;
  private final IptablesBackend backend;

  /** @param backend the iptables the writer uses (the host's kube-proxy's) */
  public PacketCounterReader(CommandRunner runner, IptablesBackend backend) {
    this.runner = runner;
    this.backend = backend;
  }

  /** The counts of the chains {@code enforced} (the last state written) names. */
  public PacketCounts read(DesiredState enforced) throws KernelCommandException {
    PacketCounts counts = PacketCounts.NONE;
    for (IpFamily family : IpFamily.values()) {
      FamilyState state = enforced.family(family);
      if (state.owners().isEmpty()) {
        continue;
      }
      ImmutableList<String> argv = ImmutableList.of(backend.command(family, "-save"), "-c",
          "-t", "filter");
      CommandResult result = runner.run(argv);
      if (!result.succeeded()) {
        throw new KernelCommandException(ApplyStep.READ_KERNEL, argv, "", result);
      }
      counts = counts.plus(PacketCounts.read(state, result.stdout()));
    }
    return counts;
  }
}
