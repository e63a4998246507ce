package dev.palisade.agent;

import com.google.common.base.Ticker;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker thread that runs the dataplane sync at a bounded frequency: events only call
 * {@link #request()}; the timing is {@link SyncTimer}'s, readiness and liveness are {@link
 * SyncHealth}'s. The sync function reports its {@link SyncOutcome}; a thrown exception counts as
 * a failure and is logged, never lost.
 *
 * <p>An {@link Error} (OutOfMemoryError, a linkage error) ends the loop instead: after one the
 * JVM cannot be trusted to keep syncing correctly. It is logged and makes {@link #notLive()}
 * say so, so that the kubelet restarts the agent, which adopts the kernel as it finds it.
 *
 * <p>Threading: {@code request()} may be called from any thread (informer callbacks); the sync
 * function runs on the runner's thread only, one run at a time.
 */
final class SyncRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncRunner.class);

  private final SyncTimer timer;
  private final SyncHealth health;
  private final Supplier<SyncOutcome> sync;
  private final Ticker ticker;
  private final Thread worker;
  private final Object lock = new Object();
  private boolean closed;

  SyncRunner(String name, Supplier<SyncOutcome> sync, SyncTimer timer, SyncHealth health,
      Ticker ticker) {
    this.timer = timer;
    this.health = health;
    this.sync = sync;
    this.ticker = ticker;
    this.worker = new Thread(this::loop, name);
    this.worker.setDaemon(true);
  }

  public void start() {
    worker.start();
  }

  public void request() {
    synchronized (lock) {
      timer.request();
      lock.notifyAll();
    }
  }

  /** Empty when ready (see {@link SyncHealth}); else why not. */
  Optional<String> notReady() {
    return health.notReady();
  }

  /** Empty while the loop runs and no sync is stuck; else why not. */
  Optional<String> notLive() {
    return health.notLive();
  }

  private void loop() {
    try {
      while (awaitNextRun()) {
        health.started();
        SyncOutcome outcome = runOnce();
        health.finished(outcome);
        synchronized (lock) {
          timer.finished(outcome);
        }
      }
    } catch (Error fatal) {
      log.error("the sync loop died; /healthz fails from now on so that the agent is restarted",
          fatal);
      health.died(fatal);
    }
  }

  private SyncOutcome runOnce() {
    try {
      return sync.get();
    } catch (RuntimeException e) {
      log.error("sync failed with an unexpected error; retrying", e);
      return SyncOutcome.FAILED;
    }
  }

  /** Waits until the timer says run; false once closed. */
  private boolean awaitNextRun() {
    synchronized (lock) {
      while (!closed) {
        long now = ticker.read();
        long runAt = timer.nextRunAt(now);
        if (runAt <= now) {
          timer.started(now);
          return true;
        }
        long waitMillis = runAt == Long.MAX_VALUE ? 0
            : Math.max(1, TimeUnit.NANOSECONDS.toMillis(runAt - now));
        try {
          lock.wait(waitMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    worker.join(TimeUnit.SECONDS.toMillis(30));
  }
}
