package dev.palisade.agent;

import dev.palisade.dataplane.backend.IptablesDataplane;
import dev.palisade.dataplane.compile.NodeStateCompiler;
import dev.palisade.dataplane.compile.StableNames;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.IptablesBackend;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.kernel.PacketCounterReader;

/** The iptables dataplane over a test's compiler and writer, or its counter reader. */
final class TestDataplanes {
  private TestDataplanes() {}

  static IptablesDataplane iptables(NodeStateCompiler compiler,
      KernelWriter writer) {
    return new IptablesDataplane(compiler, writer, new PacketCounterReader((argv, stdin) ->
        new CommandResult(1, "", "this test reads no packet counters"), IptablesBackend.NFT),
        StableNames.DEFAULT);
  }

  /** A dataplane that only reads counters, with {@code reader}. */
  static IptablesDataplane counting(PacketCounterReader reader) {
    return new IptablesDataplane((graph, changes) -> {
      throw new UnsupportedOperationException("this dataplane only reads counters");
    }, null, reader, StableNames.DEFAULT);
  }
}
