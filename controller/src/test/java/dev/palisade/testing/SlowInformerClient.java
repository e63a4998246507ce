package dev.palisade.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A client whose informers hand events to their handlers slowly: every task on the client's
 * executor (informer event dispatch among them) waits a while first, as it would behind a busy
 * handler thread. An informer of this client reports its cache synced long before its handlers
 * have seen the initial list, which is the gap a consumer must not fall into.
 */
public final class SlowInformerClient implements AutoCloseable {
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final KubernetesClient client;

  /** A client like {@code template} (same server and credentials), each task delayed. */
  public SlowInformerClient(KubernetesClient template, Duration delayPerTask) {
    client = new KubernetesClientBuilder().withConfig(template.getConfiguration())
        .withTaskExecutor(task -> threads.execute(() -> {
          try {
            TimeUnit.NANOSECONDS.sleep(delayPerTask.toNanos());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          task.run();
        }))
        .build();
  }

  public KubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    threads.shutdownNow();
  }
}
