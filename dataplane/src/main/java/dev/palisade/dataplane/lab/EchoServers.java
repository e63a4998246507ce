package dev.palisade.dataplane.lab;

import dev.palisade.model.Protocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import com.google.common.collect.ArrayListMultimap;
import com.google.common.collect.ListMultimap;
import java.util.ArrayList;
import java.util.List;

/**
 * socat echo servers (one dual-stack socket per port and protocol) inside pod namespaces. Each
 * is a child process of this JVM, stopped by its own pid and those of the children it forked
 * per connection; nothing is killed by name.
 */
public final class EchoServers {
  private static final long READY_TIMEOUT_MS = 3000;
  private final ListMultimap<String, Process> running = ArrayListMultimap.create();
  private final Shell shell = new Shell();

  /** Serves TCP or UDP {@code port} in the namespace; returns once it listens. */
  public void start(String namespace, Protocol protocol, int port) {
    String listen = switch (protocol) {
      // a backlog above any probe parallelism: with the accept queue full, the kernel would
      // drop SYNs, and a probe's connect would fail as if the connection were denied
      case TCP -> "TCP6-LISTEN:" + port + ",fork,reuseaddr,ipv6-v6only=0,backlog=64";
      case UDP -> "UDP6-LISTEN:" + port + ",fork,reuseaddr,ipv6-v6only=0";
      default -> throw new IllegalArgumentException("cannot serve " + protocol);
    };
    try {
      synchronized (running) {
        running.put(namespace, new ProcessBuilder("ip", "netns", "exec", namespace, "socat", "-T", "3",
            listen, "PIPE")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start socat in " + namespace, e);
    }
    awaitListening(namespace, protocol == Protocol.TCP ? "-ltnH" : "-lunH", port);
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

  /** Stops the servers of one namespace. */
  public void stopIn(String namespace) {
    List<Process> stopping;
    synchronized (running) {
      stopping = running.removeAll(namespace);
    }
    stop(stopping);
  }

  public void stopAll() {
    List<Process> stopping;
    synchronized (running) {
      stopping = new ArrayList<>(running.values());
      running.clear();
    }
    stop(stopping);
  }

  private static void stop(List<Process> processes) {
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
