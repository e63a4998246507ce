package dev.palisade.dataplane.ebpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's possible CPUs ({@code /sys/devices/system/cpu/possible}): per-CPU map width. */
final class PossibleCpus {
  private PossibleCpus() {}

  static int count() {
    try {
      return parse(Files.readString(Path.of("/sys/devices/system/cpu/possible")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the possible CPUs", e);
    }
  }

  /** "0-3,6" → 7: the highest CPU number + 1, as the kernel sizes per-CPU values. */
  static int parse(String list) {
    int highest = -1;
    for (String part : list.strip().split(",")) {
      String[] bounds = part.split("-");
      highest = Math.max(highest, Integer.parseInt(bounds[bounds.length - 1].strip()));
    }
    return highest + 1;
  }
}
