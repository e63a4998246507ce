package dev.palisade.agent;

import com.google.common.base.Ticker;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 * <p>While the timer is quiet (no sync asked for or owed), the runner's thread does idle work
 * in short units, one at a time, each on the condition that the idle work says it has one now;
 * a request that comes in meanwhile waits for the unit to end.
 *
 * <p>Threading: {@code request()} may be called from any thread (informer callbacks); the sync
 * function and the idle work run on the runner's thread only, one run at a time.
 */
final class SyncRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncRunner.class);

  private final SyncTimer timer;
  private final SyncHealth health;
  private final Supplier<SyncOutcome> sync;
  /** Runs one unit of idle work and says so, or says there is none to do now. */
  private final BooleanSupplier idleWork;
  private final Ticker ticker;
  private final Thread worker;
  private final Object lock = new Object();
  private boolean closed;

  /** @param idleWork runs one unit of idle work and returns true, or returns false: none now */
  SyncRunner(String name, Supplier<SyncOutcome> sync, BooleanSupplier idleWork, SyncTimer timer,
      SyncHealth health, Ticker ticker) {
    this.timer = timer;
    this.health = health;
    this.sync = sync;
    this.idleWork = idleWork;
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

  /** Waits until the timer says run, doing idle work meanwhile; false once closed. */
  private boolean awaitNextRun() {
    while (idleWorkNow() && runIdleWork()) {
      // one unit at a time, then the timer is asked again
    }
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

  private boolean idleWorkNow() {
    synchronized (lock) {
      long now = ticker.read();
      return !closed && timer.quiet() && timer.nextRunAt(now) > now;
    }
  }

  private boolean runIdleWork() {
    try {
      return idleWork.getAsBoolean();
    } catch (RuntimeException e) {
      log.error("idle work failed; the sync loop goes on", e);
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
