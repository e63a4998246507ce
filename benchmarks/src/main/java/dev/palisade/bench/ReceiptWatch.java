package dev.palisade.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The benchmark's own watches on pods and policies of the API server the agent reads: the time
 * from the start of a write to a watcher's receipt of its event stands in for the agent's "API
 * server write → receipt", which the agent does not export (its delay histogram starts at
 * receipt). Same server, same transport (HTTP on loopback), another watcher.
 *
 * <p>Usage: {@link #expect} an object's event before writing it, then {@link #delayAfter}.
 * Writes must be sequential per object name.
 */
final class ReceiptWatch implements AutoCloseable {
  private final Map<String, CompletableFuture<Long>> expected = new ConcurrentHashMap<>();
  private final List<Watch> watches;

  private ReceiptWatch(KubernetesClient client) {
    this.watches = List.of(
        client.pods().inAnyNamespace().watch(new Receiver<>()),
        client.network().v1().networkPolicies().inAnyNamespace().watch(new Receiver<>()));
  }

  static ReceiptWatch start(KubernetesClient client) {
    return new ReceiptWatch(client);
  }

  /** The next event about this object (namespace/name, any kind) is awaited. */
  CompletableFuture<Long> expect(String namespace, String name) {
    CompletableFuture<Long> receipt = new CompletableFuture<>();
    expected.put(namespace + "/" + name, receipt);
    return receipt;
  }

  /** Nanoseconds from {@code writeStartNanos} to the receipt of the awaited event. */
  static long delayAfter(long writeStartNanos, CompletableFuture<Long> receipt) {
    try {
      return receipt.get(30, TimeUnit.SECONDS) - writeStartNanos;
    } catch (TimeoutException e) {
      throw new IllegalStateException("the watch saw no event within 30 s of a write", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the watch failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a watch event", e);
    }
  }

  @Override
  public void close() {
    watches.forEach(Watch::close);
  }

  private final class Receiver<T extends HasMetadata> implements Watcher<T> {
    @Override
    public void eventReceived(Action action, T object) {
      long now = System.nanoTime();
      CompletableFuture<Long> receipt = expected.remove(
          object.getMetadata().getNamespace() + "/" + object.getMetadata().getName());
      if (receipt != null) {
        receipt.complete(now);
      }
    }

    @Override
    public void onClose(WatcherException cause) {
      expected.values().forEach(receipt -> receipt.completeExceptionally(cause));
    }
  }

}
