package dev.palisade.e2e.realapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP pass-through on loopback in front of the API server (TLS stays end to end) that cuts
 * every connection once it has lived {@code lifetime}: what a watch meets when its timeout
 * ends it, or when a load balancer drops long-lived connections. The API server honours the
 * client's own watch timeout (fabric8 asks for 10 minutes), so a test cannot wait for it.
 */
final class CuttingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final ExecutorService pumps = Executors.newCachedThreadPool();
  private final ScheduledExecutorService cutter = Executors.newSingleThreadScheduledExecutor();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final AtomicInteger cuts = new AtomicInteger();

  CuttingProxy(InetSocketAddress target, Duration lifetime) {
    this.target = target;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pumps.execute(() -> accept(lifetime));
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Connections cut because they outlived the lifetime. */
  int cuts() {
    return cuts.get();
  }

  private void accept(Duration lifetime) {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(target.getAddress(), target.getPort());
        open.add(client);
        open.add(server);
        pumps.execute(() -> pump(client, server));
        pumps.execute(() -> pump(server, client));
        cutter.schedule(() -> {
          if (!client.isClosed()) {
            cuts.incrementAndGet();
          }
          closeQuietly(client);
          closeQuietly(server);
        }, lifetime.toMillis(), TimeUnit.MILLISECONDS);
      } catch (IOException e) {
        if (!listener.isClosed()) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException e) {
      // the other direction, the cutter or the peer closed the connection
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing is all that is asked
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // closing is all that is asked
    }
    open.forEach(CuttingProxy::closeQuietly);
    cutter.shutdownNow();
    pumps.shutdownNow();
  }
}
