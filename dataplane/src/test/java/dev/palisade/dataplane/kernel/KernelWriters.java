package dev.palisade.dataplane.kernel;

import dev.palisade.dataplane.lab.NetnsLab;
import dev.palisade.dataplane.state.Installation;

/**
 * The writer the kernel tests use: the lab's node namespace and its iptables backend, no lock,
 * the standard retries.
 */
final class KernelWriters {
  private KernelWriters() {}

  static KernelWriter inLab(NetnsLab lab) {
    return inLab(lab, Installation.DEFAULT);
  }

  static KernelWriter inLab(NetnsLab lab, Installation owner) {
    return inNode(lab.nodeRunner(), owner);
  }

  /** @param node runs commands in the lab's node namespace */
  static KernelWriter inNode(CommandRunner node, Installation owner) {
    return new KernelWriter(node, tools(node), TableLock.none(), RetryPolicy.standard(),
        Sleeper.system(), owner);
  }

  /** The commands of the node's iptables backend. */
  static KernelTools tools(CommandRunner node) {
    IptablesBackend backend = IptablesBackend.detect(node);
    IptablesVersion version = IptablesVersion.detect(node, backend);
    if (!version.restoreLocksItself()) {
      throw new IllegalStateException("the kernel tests hold no xtables lock, but " + version
          + " needs one");
    }
    return KernelTools.forVersion(backend, version);
  }
}
