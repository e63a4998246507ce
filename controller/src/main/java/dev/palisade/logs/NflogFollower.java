package dev.palisade.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Follows one NFLOG group of a network namespace through {@code tcpdump -i nflog:GROUP -w -}
 * (Debian's tcpdump: libpcap binds the group over netlink and writes each packet at once with
 * {@code -U}); {@link NflogCapture} reads the stream. Only one listener can bind a group in a
 * namespace: a second {@code palisade logs}, or ulogd on the same group, makes tcpdump fail, and
 * its message is passed on.
 */
public final class NflogFollower implements AutoCloseable {
  private final Process tcpdump;
  private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
  private final Thread errorReader;
  private volatile boolean closed;

  private NflogFollower(Process tcpdump) {
    this.tcpdump = tcpdump;
    this.errorReader = new Thread(() -> {
      try (InputStream err = tcpdump.getErrorStream()) {
        err.transferTo(errors);
      } catch (IOException e) {
        // The process is gone: what it wrote so far is all there is.
      }
    }, "palisade-logs-tcpdump-errors");
    errorReader.setDaemon(true);
    errorReader.start();
  }

  /**
   * Starts tcpdump on {@code group}, in network namespace {@code netns} (as {@code ip netns
   * exec}) or, when empty, in this process's.
   */
  public static NflogFollower start(Optional<String> netns, int group) {
    List<String> argv = new ArrayList<>();
    netns.ifPresent(name -> argv.addAll(List.of("ip", "netns", "exec", name)));
    argv.addAll(List.of("tcpdump", "-i", "nflog:" + group, "-w", "-", "-U", "-q"));
    try {
      return new NflogFollower(new ProcessBuilder(argv).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", argv)
          + " (is tcpdump installed? Debian: apt-get install tcpdump)", e);
    }
  }

  /**
   * Hands every logged packet to {@code shown} until it answers false, tcpdump ends or
   * {@link #close()} is called.
   *
   * @throws IOException when tcpdump fails (its message included) or writes no NFLOG capture
   */
  public void follow(Predicate<NflogRecord> shown) throws IOException {
    try {
      NflogCapture capture = NflogCapture.open(tcpdump.getInputStream());
      for (Optional<NflogRecord> record = capture.next(); record.isPresent();
          record = capture.next()) {
        if (!shown.test(record.get())) {
          return;
        }
      }
    } catch (IOException e) {
      // A tcpdump that failed to start ends its output early: its own message says why.
      if (tcpdump.isAlive()) {
        throw e;
      }
    }
    if (!closed && exitCode() != 0) {
      throw new IOException("tcpdump exited " + exitCode() + ": " + errors().strip());
    }
  }

  private int exitCode() throws IOException {
    try {
      return tcpdump.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for tcpdump", e);
    }
  }

  private String errors() {
    try {
      errorReader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return errors.toString(StandardCharsets.UTF_8);
  }

  /** Stops tcpdump (and with it {@link #follow}). */
  @Override
  public void close() {
    closed = true;
    tcpdump.destroy();
  }
}
