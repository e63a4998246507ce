package dev.palisade.dataplane.kernel;

import dev.palisade.model.IpFamily;
import java.util.List;

/** Reads what Palisade owns in the kernel: both filter tables and the pal- ipsets. */
public final class KernelReader {
  private final CommandRunner runner;
  private final KernelTools tools;

  public KernelReader(CommandRunner runner, KernelTools tools) {
    this.runner = runner;
    this.tools = tools;
  }

  public KernelSnapshot read() throws KernelCommandException {
    return new KernelSnapshot(
        IptablesSaveParser.parse(IpFamily.V4, output(tools.save(IpFamily.V4))),
        IptablesSaveParser.parse(IpFamily.V6, output(tools.save(IpFamily.V6))),
        IpsetSaveParser.parse(output(tools.ipsetSave())));
  }

  private String output(List<String> argv) throws KernelCommandException {
    CommandResult result = runner.run(argv);
    if (!result.succeeded()) {
      throw new KernelCommandException(ApplyStep.READ_KERNEL, argv, "", result);
    }
    return result.stdout();
  }
}
