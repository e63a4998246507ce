package dev.palisade.dataplane.ebpf;

import dev.palisade.model.IpFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The program's maps, opened from their pins ({@link PinLayout#maps()}): the writer's handles
 * and the counters' slots. Closing closes the fds; the maps live on in their pins.
 */
public final class EbpfMaps implements AutoCloseable {
  private final BpfMap endpoints;
  private final BpfMap identitiesV4;
  private final BpfMap identitiesV6;
  private final BpfMap verdicts;
  private final BpfMap counters;

  private EbpfMaps(BpfMap endpoints, BpfMap identitiesV4, BpfMap identitiesV6, BpfMap verdicts,
      BpfMap counters) {
    this.endpoints = endpoints;
    this.identitiesV4 = identitiesV4;
    this.identitiesV6 = identitiesV6;
    this.verdicts = verdicts;
    this.counters = counters;
  }

  public static EbpfMaps open(Bpf bpf, Path mapsDirectory) {
    BpfMap endpoints = null;
    BpfMap v4 = null;
    BpfMap v6 = null;
    BpfMap verdicts = null;
    try {
      endpoints = BpfMap.open(bpf, mapsDirectory.resolve("endpoints").toString(),
          BpfMap.TYPE_HASH, Layouts.ENDPOINT_KEY_SIZE, Layouts.ENDPOINT_VALUE_SIZE);
      v4 = BpfMap.open(bpf, mapsDirectory.resolve("identities_v4").toString(),
          BpfMap.TYPE_LPM_TRIE, Layouts.identityKeySize(IpFamily.V4),
          Layouts.IDENTITY_VALUE_SIZE);
      v6 = BpfMap.open(bpf, mapsDirectory.resolve("identities_v6").toString(),
          BpfMap.TYPE_LPM_TRIE, Layouts.identityKeySize(IpFamily.V6),
          Layouts.IDENTITY_VALUE_SIZE);
      verdicts = BpfMap.open(bpf, mapsDirectory.resolve("verdicts").toString(),
          BpfMap.TYPE_LPM_TRIE, Layouts.VERDICT_KEY_SIZE, Layouts.VERDICT_VALUE_SIZE);
      BpfMap counters = BpfMap.open(bpf, mapsDirectory.resolve("counters").toString(),
          BpfMap.TYPE_PERCPU_ARRAY, 4, Layouts.COUNTER_VALUE_SIZE);
      return new EbpfMaps(endpoints, v4, v6, verdicts, counters);
    } catch (RuntimeException e) {
      for (BpfMap opened : new BpfMap[] {endpoints, v4, v6, verdicts}) {
        if (opened != null) {
          opened.close();
        }
      }
      throw e;
    }
  }

  public BpfMap endpoints() {
    return endpoints;
  }

  public BpfMap identities(IpFamily family) {
    return family == IpFamily.V4 ? identitiesV4 : identitiesV6;
  }

  public BpfMap verdicts() {
    return verdicts;
  }

  /** System calls made through these handles so far. */
  public long syscalls() {
    return endpoints.syscalls() + identitiesV4.syscalls() + identitiesV6.syscalls()
        + verdicts.syscalls() + counters.syscalls();
  }

  /** The packets counted in one slot, summed over the CPUs. */
  public long counter(int slot) {
    byte[] perCpu = counters.lookup(Layouts.u32(slot));
    if (perCpu == null) {
      throw new IllegalArgumentException("no counter slot " + slot);
    }
    ByteBuffer buffer = ByteBuffer.wrap(perCpu).order(ByteOrder.nativeOrder());
    long sum = 0;
    while (buffer.remaining() >= 8) {
      sum += buffer.getLong();
    }
    return sum;
  }

  /** Sets the slots to zero on every CPU: for their new owners. */
  public void zeroCounters(Collection<Integer> slots) {
    byte[] zero = new byte[counters.valueSize()];
    counters.upsert(slots.stream().map(slot -> new BpfMap.Entry(Layouts.u32(slot), zero))
        .toList());
  }

  @Override
  public void close() {
    endpoints.close();
    identitiesV4.close();
    identitiesV6.close();
    verdicts.close();
    counters.close();
  }
}
