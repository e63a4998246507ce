package dev.palisade.dataplane.kernel;

import dev.palisade.dataplane.lab.NetnsLab;

/**
 * The writer the kernel tests use: the lab's node namespace and its iptables backend, no lock,
 * the standard retries.
 */
final class KernelWriters {
  private KernelWriters() {}

  static KernelWriter inLab(NetnsLab lab) {
    CommandRunner node = lab.nodeRunner();
    IptablesBackend backend = IptablesBackend.detect(node);
    IptablesVersion version = IptablesVersion.detect(node, backend);
    if (!version.restoreLocksItself()) {
      throw new IllegalStateException("the kernel tests hold no xtables lock, but " + version
          + " needs one");
    }
    return new KernelWriter(node, KernelTools.forVersion(backend, version), TableLock.none(),
        RetryPolicy.standard(), Sleeper.system());
  }
}
