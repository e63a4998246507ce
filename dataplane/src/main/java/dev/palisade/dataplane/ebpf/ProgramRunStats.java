package dev.palisade.dataplane.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The kernel's run-time statistics of the two pinned programs ({@code run_time_ns} and {@code
 * run_cnt} of {@code bpf_prog_info}), counted while some fd of {@link Bpf#enableRunTimeStats}
 * is open: what one packet costs the program, measured by the kernel.
 */
public record ProgramRunStats(long fromPodNanos, long fromPodRuns, long toPodNanos,
    long toPodRuns) {
  /** {@code struct bpf_prog_info} up to and with run_cnt: run_time_ns at 192, run_cnt at 200. */
  private static final int PROG_INFO_SIZE = 208;
  private static final int RUN_TIME_NS = 192;
  private static final int RUN_CNT = 200;

  public static ProgramRunStats read(Bpf bpf, PinLayout pins) {
    long[] figures = new long[4];
    int i = 0;
    for (boolean fromPod : new boolean[] {true, false}) {
      int fd = bpf.objGet(pins.program(fromPod).toString());
      try {
        ByteBuffer info = ByteBuffer.wrap(bpf.objInfo(fd, PROG_INFO_SIZE))
            .order(ByteOrder.nativeOrder());
        figures[i++] = info.getLong(RUN_TIME_NS);
        figures[i++] = info.getLong(RUN_CNT);
      } finally {
        bpf.close(fd);
      }
    }
    return new ProgramRunStats(figures[0], figures[1], figures[2], figures[3]);
  }

  /** What ran between {@code earlier} and this reading. */
  public ProgramRunStats since(ProgramRunStats earlier) {
    return new ProgramRunStats(fromPodNanos - earlier.fromPodNanos,
        fromPodRuns - earlier.fromPodRuns, toPodNanos - earlier.toPodNanos,
        toPodRuns - earlier.toPodRuns);
  }

  public ProgramRunStats plus(ProgramRunStats other) {
    return new ProgramRunStats(fromPodNanos + other.fromPodNanos,
        fromPodRuns + other.fromPodRuns, toPodNanos + other.toPodNanos,
        toPodRuns + other.toPodRuns);
  }

  /** Nanoseconds per run over both programs (NaN before any run). */
  public double nanosPerRun() {
    return (double) (fromPodNanos + toPodNanos) / (fromPodRuns + toPodRuns);
  }
}
