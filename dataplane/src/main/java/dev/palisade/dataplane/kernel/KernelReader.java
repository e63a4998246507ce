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
    return new KernelSnapshot(
        IptablesSaveParser.parse(IpFamily.V4, output(tools.save(IpFamily.V4)), owner),
        IptablesSaveParser.parse(IpFamily.V6, output(tools.save(IpFamily.V6)), owner),
        IpsetSaveParser.parse(output(tools.ipsetSave()), owner));
  }

  private String output(List<String> argv) throws KernelCommandException {
    CommandResult result = runner.run(argv);
    if (!result.succeeded()) {
      throw new KernelCommandException(ApplyStep.READ_KERNEL, argv, "", result);
    }
    return result.stdout();
  }
}
