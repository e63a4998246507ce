package dev.palisade.controller;

import dev.palisade.agent.ApiErrors;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of the cluster controller for as long as the process runs. It runs one
 * {@link PalisadeController} at a time: when that one loses the lease after leading (the API
 * server was away longer than the renew deadline, or another replica took over), it is stopped
 * and a fresh one rejoins the election as a standby; a start that the API server cannot answer
 * or refuses is retried with doubling backoff. The process never exits for these reasons.
 *
 * <p>Thread-safe: {@link #run()} runs on one thread; the health endpoints read {@link #isReady}
 * and {@link #isLeading} from others; {@link #close()} may come from a shutdown hook.
 */
final class ControllerReplica implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControllerReplica.class);

  private final Function<ControllerMetrics, PalisadeController> newController;
  private final ControllerMetrics metrics;
  private final Duration firstRetry;
  private final Duration maxRetry;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile PalisadeController current;

  /**
   * @param newController a new controller that reports through the given metrics: the same
   *     ones, over {@link #latestAnalysis()}, for every controller this replica runs (a gauge is
   *     registered once, so per-controller gauges would go on reading the first one)
   */
  ControllerReplica(Function<ControllerMetrics, PalisadeController> newController,
      MeterRegistry registry, Duration firstRetry, Duration maxRetry) {
    this.newController = newController;
    this.metrics = new ControllerMetrics(registry, this::latestAnalysis);
    this.firstRetry = firstRetry;
    this.maxRetry = maxRetry;
  }

  /** Runs controllers one after another until {@link #close()}; blocks. */
  public void run() {
    Duration retry = firstRetry;
    while (!closed.isDone()) {
      PalisadeController controller = newController.apply(metrics);
      current = controller;
      try {
        controller.start();
      } catch (RuntimeException e) {
        controller.close();
        log.error("cannot join the leader election ({}); retrying in {} s",
            ApiErrors.explain(e), retry.toSeconds());
        awaitClosed(retry);
        retry = retry.multipliedBy(2).compareTo(maxRetry) > 0 ? maxRetry
            : retry.multipliedBy(2);
        continue;
      }
      retry = firstRetry;
      CompletableFuture.anyOf(controller.leadershipLost(), closed).join();
      controller.close();
      if (!closed.isDone()) {
        log.warn("stepped down as leader; rejoining the election as a standby");
      }
    }
  }

  /** A controller runs, its informers synced (standbys are ready too). */
  public boolean isReady() {
    PalisadeController controller = current;
    return controller != null && controller.isReady();
  }

  public boolean isLeading() {
    PalisadeController controller = current;
    return controller != null && controller.isLeading();
  }

  /** The current controller's latest analysis (empty while none leads here). */
  public ClusterAnalysis latestAnalysis() {
    PalisadeController controller = current;
    return controller == null ? ClusterAnalysis.EMPTY : controller.latestAnalysis();
  }

  @Override
  public void close() {
    closed.complete(null);
    PalisadeController controller = current;
    if (controller != null) {
      controller.close();
    }
  }

  private void awaitClosed(Duration timeout) {
    try {
      closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // the retry is due
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed.complete(null);
    } catch (ExecutionException e) {
      throw new IllegalStateException("closed exceptionally", e);
    }
  }
}
