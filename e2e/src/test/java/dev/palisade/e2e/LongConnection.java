package dev.palisade.e2e;

import dev.palisade.dataplane.lab.NetnsCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One long-lived TCP connection from a lab pod to an echo server: a socat client that sends a
 * line every 200 ms and counts the echoes. It shows whether an established flow keeps flowing
 * across a policy change. The client is a child process of this JVM, stopped by its pid.
 */
final class LongConnection implements AutoCloseable {
  private static final Duration PERIOD = Duration.ofMillis(200);

  private final Process client;
  private final AtomicInteger echoes = new AtomicInteger();
  private final AtomicLong lastEchoNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong longestGapNanos = new AtomicLong();
  private final Thread sender;
  private final Thread receiver;

  private LongConnection(Process client) {
    this.client = client;
    this.sender = new Thread(this::send, "e2e-long-connection-send");
    this.receiver = new Thread(this::receive, "e2e-long-connection-receive");
  }

  /** Opens the connection from the pod to {@code host:port} and starts talking. */
  static LongConnection open(NetnsCluster lab, String fromPod, String host, int port) {
    Process client;
    try {
      client = new ProcessBuilder("ip", "netns", "exec", lab.pod(fromPod).namespace(), "socat",
          "-", "TCP4:" + host + ":" + port + ",connect-timeout=2")
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start socat in " + fromPod, e);
    }
    LongConnection connection = new LongConnection(client);
    connection.sender.start();
    connection.receiver.start();
    return connection;
  }

  private void send() {
    OutputStream out = client.getOutputStream();
    try {
      for (int line = 0; client.isAlive(); line++) {
        out.write(("line " + line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(PERIOD.toMillis());
      }
    } catch (IOException | InterruptedException closed) {
      // the connection ended (cut, or closed by the test): nothing more to send
    }
  }

  private void receive() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
        StandardCharsets.US_ASCII))) {
      while (in.readLine() != null) {
        long now = System.nanoTime();
        longestGapNanos.accumulateAndGet(now - lastEchoNanos.getAndSet(now), Math::max);
        echoes.incrementAndGet();
      }
    } catch (IOException closed) {
      // the connection ended
    }
  }

  /** How many echoes came back so far. */
  int echoes() {
    return echoes.get();
  }

  /** The longest time between two echoes (or the opening and the first echo) so far. */
  Duration longestGap() {
    return Duration.ofNanos(longestGapNanos.get());
  }

  /** Waits until at least {@code count} more echoes came back, or the timeout passes. */
  boolean awaitEchoes(int count, Duration timeout) {
    int target = echoes() + count;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (echoes() < target && System.nanoTime() < deadline) {
      pause(PERIOD);
    }
    return echoes() >= target;
  }

  /**
   * Waits until no echo came for {@code silence} (the connection was cut), or the timeout
   * passes; returns whether it fell silent.
   */
  boolean awaitSilence(Duration silence, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - lastEchoNanos.get() < silence.toNanos()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      pause(PERIOD);
    }
    return true;
  }

  @Override
  public void close() {
    client.destroyForcibly();
    try {
      client.waitFor();
      sender.join();
      receiver.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
