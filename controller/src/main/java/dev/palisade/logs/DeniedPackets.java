package dev.palisade.logs;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * {@code palisade logs} without its options: follows a node's NFLOG group and prints one line
 * per packet a Palisade deny rule logged ({@link DeniedPacketLine}), naming pods and policies
 * from the cluster as it is when the packet shows.
 */
public final class DeniedPackets {
  private DeniedPackets() {}

  /**
   * Prints lines to {@code out} until {@code limit} were printed (if given) or
   * {@code follower} is closed.
   */
  public static void print(NflogFollower follower, ClusterDirectory cluster, PrintWriter out,
      Optional<Integer> limit) throws IOException {
    int[] printed = {0};
    follower.follow(record -> {
      DeniedPacketLine.describe(record, cluster).ifPresent(line -> {
        out.println(line);
        out.flush();
        printed[0]++;
      });
      return limit.map(most -> printed[0] < most).orElse(true);
    });
  }
}
