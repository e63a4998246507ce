package dev.palisade.cli;

import java.io.IOException;
import java.io.InputStream;

/**
 * Runs an action once standard input reaches its end: how a child learns that its parent died.
 * A parent that starts the child with a pipe on its standard input and never writes to it holds
 * the pipe's only write end; when the parent exits, however it exits (SIGKILL included), the
 * kernel closes that end and the child reads end-of-file. No polling, no pid reuse to fear.
 */
final class StdinWatch {
  private StdinWatch() {}

  /** Starts a daemon thread that drains {@code in} and then runs {@code onClosed}. */
  static Thread start(InputStream in, Runnable onClosed) {
    Thread watch = new Thread(() -> {
      byte[] ignored = new byte[256];
      try {
        while (in.read(ignored) >= 0) {
          // the parent writes nothing; anything it might write is not meant for us
        }
      } catch (IOException e) {
        // a broken standard input is as closed as an ended one
      }
      onClosed.run();
    }, "palisade-stdin-watch");
    watch.setDaemon(true);
    watch.start();
    return watch;
  }
}
