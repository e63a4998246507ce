package dev.palisade.dataplane.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resident memory of a process the lab's users started (an agent under measurement), as
 * {@code /proc/PID/status} reports it.
 *
 * @param rssKib VmRSS, what the process holds now
 * @param peakKib VmHWM, the most it has held
 */
public record ResidentMemory(long rssKib, long peakKib) {

  public static ResidentMemory of(long pid) throws IOException {
    long rss = -1;
    long peak = -1;
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      String[] parts = line.split("\\s+");
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(parts[1]);
      } else if (line.startsWith("VmHWM:")) {
        peak = Long.parseLong(parts[1]);
      }
    }
    return new ResidentMemory(rss, peak);
  }
}
