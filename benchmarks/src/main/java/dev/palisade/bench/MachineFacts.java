package dev.palisade.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a figure depends on besides the code: the machine, its load, the tools' versions. */
final class MachineFacts {
  private MachineFacts() {}

  /** The 1, 5 and 15-minute load averages, as {@code /proc/loadavg} gives them. */
  static String loadAverage() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }

  static String kernel() throws IOException {
    return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
  }

  static int processors() {
    return Runtime.getRuntime().availableProcessors();
  }

  static String java() {
    return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
  }

  /** {@code iptables --version} inside a network namespace (the agent's, not the host's). */
  static String iptables(String netns) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(List.of("ip", "netns", "exec", netns, "iptables",
        "--version")).redirectErrorStream(true).start();
    String version = new String(process.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8).strip();
    process.waitFor();
    return version;
  }
}
