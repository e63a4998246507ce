package dev.palisade.dataplane.kernel;

import dev.palisade.dataplane.state.Installation;
import dev.palisade.model.IpFamily;
import java.util.List;

/** Reads what one installation owns in the kernel: its chains in both filter tables, its sets. */
public final class KernelReader {
  private final CommandRunner runner;
  private final KernelTools tools;
  private final Installation owner;

  public KernelReader(CommandRunner runner, KernelTools tools, Installation owner) {
    this.runner = runner;
    this.tools = tools;
    this.owner = owner;
  }

  public KernelSnapshot read() throws KernelCommandException {
    return new KernelSnapshot(readTable(IpFamily.V4), readTable(IpFamily.V6),
        IpsetSaveParser.parse(output(tools.ipsetSave()), owner));
  }

  /** One family's filter table only. */
  public KernelTable readTable(IpFamily family) throws KernelCommandException {
    return IptablesSaveParser.parse(family, output(tools.save(family)), owner);
  }

  private String output(List<String> argv) throws KernelCommandException {
    CommandResult result = runner.run(argv);
    if (!result.succeeded()) {
      throw new KernelCommandException(ApplyStep.READ_KERNEL, argv, "", result);
    }
    return result.stdout();
  }
}
