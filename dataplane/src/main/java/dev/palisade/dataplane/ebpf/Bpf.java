package dev.palisade.dataplane.ebpf;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The {@code bpf()} system call, through jnr-ffi's {@code syscall(2)}: the handful of commands the
 * eBPF backend needs (pinned objects, single-element and batch map operations, key iteration,
 * object info, tcx links). Each method builds the {@code union bpf_attr} member of its command
 * (layouts from {@code include/uapi/linux/bpf.h}) in native memory and returns the result or
 * throws {@link BpfException} with the errno.
 *
 * <p>The system call number depends on the architecture; an unknown one is refused when the
 * class is created, naming the architecture. Thread-safe: no state besides the loaded library.
 */
public final class Bpf {
  // bpf(2) commands
  private static final int MAP_LOOKUP_ELEM = 1;
  private static final int MAP_UPDATE_ELEM = 2;
  private static final int MAP_DELETE_ELEM = 3;
  private static final int MAP_GET_NEXT_KEY = 4;
  private static final int OBJ_PIN = 6;
  private static final int OBJ_GET = 7;
  private static final int OBJ_GET_INFO_BY_FD = 15;
  private static final int MAP_UPDATE_BATCH = 26;
  private static final int MAP_DELETE_BATCH = 27;
  private static final int LINK_CREATE = 28;
  private static final int LINK_UPDATE = 29;
  private static final int ENABLE_STATS = 32;
  private static final int LINK_DETACH = 34;

  /** {@code BPF_ANY}: create or update. */
  public static final long UPDATE_ANY = 0;
  /** {@code BPF_F_BEFORE} for tcx: with no relative program, first in the interface's chain. */
  public static final int TCX_FIRST = 1 << 3;

  /** The libc functions the backend calls; jnr-ffi binds them. */
  public interface LibC {
    long syscall(long number, long command, Pointer attr, long size);

    int close(int fd);

    int setns(int fd, int nstype);

    int if_nametoindex(String name);
  }

  private final LibC libc;
  private final Runtime runtime;
  private final long syscallNumber;

  private Bpf(LibC libc, long syscallNumber) {
    this.libc = libc;
    this.runtime = Runtime.getRuntime(libc);
    this.syscallNumber = syscallNumber;
  }

  /** Binds libc; refuses an architecture whose {@code bpf()} number it does not know. */
  public static Bpf load() {
    long number = syscallNumber(System.getProperty("os.arch"));
    return new Bpf(LibraryLoader.create(LibC.class).load("c"), number);
  }

  /** {@code __NR_bpf} for a JVM's {@code os.arch}. */
  static long syscallNumber(String osArch) {
    return switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> 321;
      case "aarch64", "arm64" -> 280;
      case "riscv64", "loongarch64" -> 280;
      case "ppc64le", "ppc64" -> 361;
      case "s390x" -> 351;
      default -> throw new IllegalStateException("the eBPF backend does not know the bpf() "
          + "system call number on architecture " + osArch + " (known: amd64, aarch64, "
          + "riscv64, loongarch64, ppc64le, s390x); use the iptables backend");
    };
  }

  LibC libc() {
    return libc;
  }

  Runtime runtime() {
    return runtime;
  }

  int lastErrno() {
    return runtime.getLastError();
  }

  /** Opens a pinned map, program or link: a new fd the caller closes. */
  public int objGet(String path) {
    Pointer name = cString(path);
    Pointer attr = attr(16);
    attr.putLong(0, name.address());
    return (int) call(OBJ_GET, attr, "BPF_OBJ_GET " + path, name);
  }

  /** Pins an object at {@code path} (on a bpffs; the file must not exist). */
  public void objPin(int fd, String path) {
    Pointer name = cString(path);
    Pointer attr = attr(16);
    attr.putLong(0, name.address());
    attr.putInt(8, fd);
    call(OBJ_PIN, attr, "BPF_OBJ_PIN " + path, name);
  }

  /** The object's info struct ({@code bpf_map_info}, {@code bpf_prog_info}, ...), zero-padded. */
  public byte[] objInfo(int fd, int infoSize) {
    Pointer info = Memory.allocateDirect(runtime, infoSize, true);
    Pointer attr = attr(16);
    attr.putInt(0, fd);
    attr.putInt(4, infoSize);
    attr.putLong(8, info.address());
    call(OBJ_GET_INFO_BY_FD, attr, "BPF_OBJ_GET_INFO_BY_FD", info);
    byte[] out = new byte[infoSize];
    info.get(0, out, 0, infoSize);
    return out;
  }

  /** The value under {@code key}, or null when the map has no such key. */
  public byte[] lookup(int mapFd, byte[] key, int valueSize) {
    Pointer k = bytes(key);
    Pointer value = Memory.allocateDirect(runtime, valueSize, true);
    return bytesOrNull(MAP_LOOKUP_ELEM, elemAttr(mapFd, k, value, 0), value, valueSize,
        "BPF_MAP_LOOKUP_ELEM", k);
  }

  public void update(int mapFd, byte[] key, byte[] value, long flags) {
    Pointer k = bytes(key);
    Pointer v = bytes(value);
    call(MAP_UPDATE_ELEM, elemAttr(mapFd, k, v, flags), "BPF_MAP_UPDATE_ELEM", k, v);
  }

  /** Deletes {@code key}; returns false when it was not there. */
  public boolean delete(int mapFd, byte[] key) {
    Pointer k = bytes(key);
    if (libcall(MAP_DELETE_ELEM, elemAttr(mapFd, k, null, 0), k) < 0) {
      int errno = lastErrno();
      if (errno == jnr.constants.platform.Errno.ENOENT.intValue()) {
        return false;
      }
      throw new BpfException("BPF_MAP_DELETE_ELEM", errno);
    }
    return true;
  }

  /** The key after {@code key} (null: the first key), or null at the end. */
  public byte[] nextKey(int mapFd, byte[] key, int keySize) {
    Pointer next = Memory.allocateDirect(runtime, keySize, true);
    Pointer current = key == null ? null : bytes(key);
    return bytesOrNull(MAP_GET_NEXT_KEY, elemAttr(mapFd, current, next, 0), next, keySize,
        "BPF_MAP_GET_NEXT_KEY", current);
  }

  /** Runs a command that fills {@code out}: its bytes, or null when the kernel says ENOENT. */
  private byte[] bytesOrNull(int command, Pointer attr, Pointer out, int size, String operation,
      Object keep) {
    if (libcall(command, attr, keep, out) < 0) {
      int errno = lastErrno();
      if (errno == jnr.constants.platform.Errno.ENOENT.intValue()) {
        return null;
      }
      throw new BpfException(operation, errno);
    }
    byte[] bytes = new byte[size];
    out.get(0, bytes, 0, size);
    return bytes;
  }

  /**
   * Writes {@code count} elements in one call ({@code BPF_MAP_UPDATE_BATCH}); keys and values are
   * packed back to back. Returns how many the kernel wrote before an error (all on success).
   */
  public int updateBatch(int mapFd, byte[] keys, byte[] values, int count) {
    return batch(MAP_UPDATE_BATCH, mapFd, keys, values, count, "BPF_MAP_UPDATE_BATCH");
  }

  /** Deletes {@code count} packed keys in one call ({@code BPF_MAP_DELETE_BATCH}). */
  public int deleteBatch(int mapFd, byte[] keys, int count) {
    return batch(MAP_DELETE_BATCH, mapFd, keys, null, count, "BPF_MAP_DELETE_BATCH");
  }

  private int batch(int command, int mapFd, byte[] keys, byte[] values, int count,
      String operation) {
    Pointer k = bytes(keys);
    Pointer v = values == null ? null : bytes(values);
    Pointer attr = attr(56);
    attr.putLong(16, k.address());
    attr.putLong(24, v == null ? 0 : v.address());
    attr.putInt(32, count);
    attr.putInt(36, mapFd);
    if (libcall(command, attr, k, v) < 0) {
      throw new BpfBatchException(operation, lastErrno(), attr.getInt(32));
    }
    return attr.getInt(32);
  }

  /** A tcx link of the program on the interface (in the calling thread's network namespace). */
  public int linkCreateTcx(int progFd, int ifindex, boolean ingress, int flags) {
    Pointer attr = attr(32);
    attr.putInt(0, progFd);
    attr.putInt(4, ifindex);
    attr.putInt(8, ingress ? AttachType.TCX_INGRESS : AttachType.TCX_EGRESS);
    attr.putInt(12, flags);
    return (int) call(LINK_CREATE, attr, "BPF_LINK_CREATE (tcx, ifindex " + ifindex + ")");
  }

  /**
   * Replaces the program of a link in one step ({@code BPF_LINK_UPDATE}): every packet meets
   * either the old program or the new one, never none.
   */
  public void linkUpdate(int linkFd, int newProgFd) {
    Pointer attr = attr(16);
    attr.putInt(0, linkFd);
    attr.putInt(4, newProgFd);
    call(LINK_UPDATE, attr, "BPF_LINK_UPDATE");
  }

  /** Detaches a link at once, whoever else holds it (pins included). */
  public void linkDetach(int linkFd) {
    Pointer attr = attr(8);
    attr.putInt(0, linkFd);
    call(LINK_DETACH, attr, "BPF_LINK_DETACH");
  }

  /**
   * Turns on the kernel's per-program run-time statistics ({@code BPF_STATS_RUN_TIME}) while the
   * returned fd is open: {@code run_time_ns} and {@code run_cnt} of {@link #objInfo} count.
   */
  public int enableRunTimeStats() {
    Pointer attr = attr(8);
    attr.putInt(0, 0);
    return (int) call(ENABLE_STATS, attr, "BPF_ENABLE_STATS");
  }

  public void close(int fd) {
    if (fd >= 0) {
      libc.close(fd);
    }
  }

  /** The attach types of {@code enum bpf_attach_type} the backend uses. */
  static final class AttachType {
    static final int TCX_INGRESS = 46;
    static final int TCX_EGRESS = 47;

    private AttachType() {}
  }

  /** A batch call failed after {@code done} elements. */
  public static final class BpfBatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final int done;

    BpfBatchException(String operation, int errno, int done) {
      super(operation + " failed after " + done + " elements: " + BpfException.describe(errno));
      this.errno = errno;
      this.done = done;
    }

    public int errno() {
      return errno;
    }

    public int done() {
      return done;
    }

    /** The map type has no batch operations (LPM tries on many kernels). */
    public boolean unsupported() {
      return done == 0 && (errno == BpfException.ENOTSUPP
          || errno == jnr.constants.platform.Errno.EOPNOTSUPP.intValue()
          || errno == jnr.constants.platform.Errno.EINVAL.intValue());
    }
  }

  private Pointer elemAttr(int mapFd, Pointer key, Pointer value, long flags) {
    Pointer attr = attr(32);
    attr.putInt(0, mapFd);
    attr.putLong(8, key == null ? 0 : key.address());
    attr.putLong(16, value == null ? 0 : value.address());
    attr.putLong(24, flags);
    return attr;
  }

  private Pointer attr(int size) {
    return Memory.allocateDirect(runtime, size, true);
  }

  private Pointer bytes(byte[] data) {
    Pointer memory = Memory.allocateDirect(runtime, Math.max(1, data.length), true);
    memory.put(0, data, 0, data.length);
    return memory;
  }

  private Pointer cString(String text) {
    return bytes((text + "\0").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The attr holds only addresses of the other buffers: {@code keep} stays reachable until the
   * kernel has read them, or a collection in between could free them.
   */
  private long libcall(int command, Pointer attr, Object... keep) {
    try {
      return libc.syscall(syscallNumber, command, attr, attr.size());
    } finally {
      Reference.reachabilityFence(keep);
    }
  }

  private long call(int command, Pointer attr, String operation, Object... keep) {
    long result = libcall(command, attr, keep);
    if (result < 0) {
      throw new BpfException(operation, lastErrno());
    }
    return result;
  }
}
