package dev.palisade.dataplane.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A running process's output, read line by line on a daemon thread, so that its reader can wait
 * for the next line with a deadline (a blocking read could wait forever on a stuck tool).
 */
final class OutputLines {
  private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();

  private OutputLines() {}

  /** Starts reading {@code stream} on a daemon thread named {@code threadName}. */
  static OutputLines read(InputStream stream, String threadName) {
    OutputLines output = new OutputLines();
    Thread reader = new Thread(() -> output.readAll(stream), threadName);
    reader.setDaemon(true);
    reader.start();
    return output;
  }

  /**
   * The next line, waiting until {@code deadlineNanos} ({@link System#nanoTime()}): null when
   * none came by then, empty once the stream has ended.
   */
  Optional<String> next(long deadlineNanos) throws InterruptedException {
    return lines.poll(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  private void readAll(InputStream stream) {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.add(Optional.of(line));
      }
    } catch (IOException e) {
      // the process is gone, which the end of the lines says
    }
    lines.add(Optional.empty());
  }
}
