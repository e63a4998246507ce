package dev.palisade.dataplane.ebpf;

import jnr.constants.platform.Errno;

/** A {@code bpf()} system call (or a call around it) failed: which command, on what, errno. */
public final class BpfException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** The kernel's "not supported" for an operation a map type lacks (not in libc's errno). */
  static final int ENOTSUPP = 524;

  private final int errno;

  BpfException(String operation, int errno) {
    super(operation + " failed: " + describe(errno));
    this.errno = errno;
  }

  /** The errno the kernel returned. */
  public int errno() {
    return errno;
  }

  static String describe(int errno) {
    if (errno == ENOTSUPP) {
      return "errno 524 (ENOTSUPP, not supported by this map type)";
    }
    Errno known = Errno.valueOf(errno);
    return known == null || known == Errno.__UNKNOWN_CONSTANT__
        ? "errno " + errno : "errno " + errno + " (" + known.name() + ", " + known + ")";
  }
}
