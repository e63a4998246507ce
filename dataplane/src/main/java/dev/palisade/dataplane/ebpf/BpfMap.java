package dev.palisade.dataplane.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One pinned map, opened by path: its fd and shape (from {@code BPF_OBJ_GET_INFO_BY_FD}), reading
 * every entry back, and writing many entries with as few system calls as the map type allows.
 *
 * <p>Batch operations ({@code BPF_MAP_UPDATE_BATCH}, {@code BPF_MAP_DELETE_BATCH}) are tried
 * first. On 6.18 every map type here has them (the LPM trie too: 10,000 prefixes in one call,
 * docs/ebpf.md); a kernel or map type without them answers EINVAL or ENOTSUPP on the first call,
 * and the map falls back to one {@code bpf()} call per element, still in this process, and is
 * remembered as such. Not thread-safe: one writer owns it.
 */
public final class BpfMap implements AutoCloseable {
  /** {@code BPF_MAP_TYPE_*} numbers this backend uses. */
  public static final int TYPE_HASH = 1;
  public static final int TYPE_PERCPU_ARRAY = 6;
  public static final int TYPE_LPM_TRIE = 11;
  private static final int MAP_INFO_SIZE = 104;

  /** One element: key and value bytes. */
  public record Entry(byte[] key, byte[] value) {}

  private final Bpf bpf;
  private final String path;
  private final int fd;
  private final int type;
  private final int keySize;
  private final int elementValueSize;
  private final int valueSize;
  private final String name;
  private Boolean batches;
  private long syscalls;

  private BpfMap(Bpf bpf, String path, int fd, byte[] info) {
    this.bpf = bpf;
    this.path = path;
    this.fd = fd;
    ByteBuffer buffer = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
    this.type = buffer.getInt(0);
    this.keySize = buffer.getInt(8);
    this.elementValueSize = buffer.getInt(12);
    // a per-CPU map's lookup copies one (8-byte aligned) value per possible CPU
    this.valueSize = type == TYPE_PERCPU_ARRAY
        ? ((elementValueSize + 7) / 8 * 8) * PossibleCpus.count() : elementValueSize;
    int end = 24;
    while (end < 40 && info[end] != 0) {
      end++;
    }
    this.name = new String(info, 24, end - 24, StandardCharsets.UTF_8);
  }

  /**
   * Opens the map pinned at {@code path}; it must have this type, key size and value size (of
   * one element: one CPU's for a per-CPU map).
   */
  public static BpfMap open(Bpf bpf, String path, int expectedType, int expectedKeySize,
      int expectedValueSize) {
    int fd = bpf.objGet(path);
    try {
      BpfMap map = new BpfMap(bpf, path, fd, bpf.objInfo(fd, MAP_INFO_SIZE));
      if (map.type != expectedType || map.keySize != expectedKeySize
          || map.elementValueSize != expectedValueSize) {
        throw new IllegalStateException("the map pinned at " + path + " is of type " + map.type
            + " with " + map.keySize + "-byte keys and " + map.elementValueSize
            + "-byte values, not the type " + expectedType + " with " + expectedKeySize
            + "-byte keys and " + expectedValueSize + "-byte values this agent writes: a "
            + "program of another version left it (palisade cleanup removes it)");
      }
      return map;
    } catch (RuntimeException e) {
      bpf.close(fd);
      throw e;
    }
  }

  public String name() {
    return name;
  }

  public int fd() {
    return fd;
  }

  /** Bytes of one lookup's value: for a per-CPU map, all CPUs' values back to back. */
  public int valueSize() {
    return valueSize;
  }

  /** System calls this map has made, for the writer's report. */
  public long syscalls() {
    return syscalls;
  }

  /** Every element, by {@code BPF_MAP_GET_NEXT_KEY} and a lookup each. */
  public List<Entry> readAll() {
    List<Entry> entries = new ArrayList<>();
    byte[] key = null;
    while (true) {
      byte[] next = bpf.nextKey(fd, key, keySize);
      syscalls++;
      if (next == null) {
        return entries;
      }
      byte[] value = bpf.lookup(fd, next, valueSize);
      syscalls++;
      if (value != null) {
        entries.add(new Entry(next, value));
      }
      key = next;
    }
  }

  /** The value under {@code key}, or null. */
  public byte[] lookup(byte[] key) {
    syscalls++;
    return bpf.lookup(fd, key, valueSize);
  }

  /** Creates or replaces every entry. */
  public void upsert(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    if (!Boolean.FALSE.equals(batches)) {
      byte[] keys = new byte[entries.size() * keySize];
      byte[] values = new byte[entries.size() * valueSize];
      for (int i = 0; i < entries.size(); i++) {
        System.arraycopy(entries.get(i).key(), 0, keys, i * keySize, keySize);
        System.arraycopy(entries.get(i).value(), 0, values, i * valueSize, valueSize);
      }
      try {
        syscalls++;
        bpf.updateBatch(fd, keys, values, entries.size());
        batches = true;
        return;
      } catch (Bpf.BpfBatchException e) {
        if (!e.unsupported() || Boolean.TRUE.equals(batches)) {
          throw new BpfException("writing " + entries.size() + " entries of map " + name + " ("
              + path + "): " + e.getMessage(), e.errno());
        }
        batches = false;
      }
    }
    for (Entry entry : entries) {
      syscalls++;
      bpf.update(fd, entry.key(), entry.value(), Bpf.UPDATE_ANY);
    }
  }

  /** Deletes every key; keys already gone are fine. */
  public void delete(List<byte[]> keys) {
    if (keys.isEmpty()) {
      return;
    }
    if (!Boolean.FALSE.equals(batches)) {
      byte[] packed = new byte[keys.size() * keySize];
      for (int i = 0; i < keys.size(); i++) {
        System.arraycopy(keys.get(i), 0, packed, i * keySize, keySize);
      }
      try {
        syscalls++;
        bpf.deleteBatch(fd, packed, keys.size());
        batches = true;
        return;
      } catch (Bpf.BpfBatchException e) {
        // a batch delete stops at the first missing key (ENOENT): finish one by one
        if (!e.unsupported() && e.errno() != jnr.constants.platform.Errno.ENOENT.intValue()) {
          throw new BpfException("deleting " + keys.size() + " entries of map " + name + ": "
              + e.getMessage(), e.errno());
        }
        if (e.unsupported() && !Boolean.TRUE.equals(batches)) {
          batches = false;
        }
        keys = keys.subList(e.done(), keys.size());
      }
    }
    for (byte[] key : keys) {
      syscalls++;
      bpf.delete(fd, key);
    }
  }

  @Override
  public void close() {
    bpf.close(fd);
  }

  @Override
  public String toString() {
    return name + " (" + path + ")";
  }
}
