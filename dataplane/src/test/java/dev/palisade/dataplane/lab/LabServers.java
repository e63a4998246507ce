package dev.palisade.dataplane.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * socat echo servers (TCP and UDP, IPv4 and IPv6 on one dual-stack socket) inside pod
 * namespaces. Each is a child process of this JVM, stopped by its own pid and those of the
 * children it forked per connection; nothing is killed by name.
 */
final class LabServers {
  private static final long READY_TIMEOUT_MS = 3000;
  private final List<Process> running = new ArrayList<>();
  private final Shell shell = new Shell();

  void start(String namespace, int port) {
    launch(namespace, "TCP6-LISTEN:" + port + ",fork,reuseaddr,ipv6-v6only=0");
    launch(namespace, "UDP6-LISTEN:" + port + ",fork,reuseaddr,ipv6-v6only=0");
    awaitListening(namespace, "-ltnH", port);
    awaitListening(namespace, "-lunH", port);
  }

  private void launch(String namespace, String listen) {
    try {
      running.add(new ProcessBuilder("ip", "netns", "exec", namespace, "socat", "-T", "3",
          listen, "PIPE")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start socat in " + namespace, e);
    }
  }

  private void awaitListening(String namespace, String ssFlags, int port) {
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      String sockets = shell.run("ip", "netns", "exec", namespace, "ss", ssFlags,
          "sport = :" + port);
      if (!sockets.isBlank()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for a server", e);
      }
    }
    throw new IllegalStateException("socat did not listen on " + port + " in " + namespace);
  }

  void stopAll() {
    for (Process process : running) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    running.clear();
  }
}
