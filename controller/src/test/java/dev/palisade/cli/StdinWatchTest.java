package dev.palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StdinWatchTest {
  @Test
  void runsTheActionOnceTheWriterClosesThePipeAndNotBefore() throws Exception {
    PipedOutputStream parent = new PipedOutputStream();
    CountDownLatch closed = new CountDownLatch(1);
    StdinWatch.start(new PipedInputStream(parent), closed::countDown);

    parent.write("stray bytes are ignored\n".getBytes());
    parent.flush();
    assertThat(closed.await(200, TimeUnit.MILLISECONDS)).isFalse();

    parent.close();
    assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
  }
}
