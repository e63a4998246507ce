package dev.palisade.e2e.realapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a konnectivity server is to a real API server, for tests: it listens on a Unix socket for
 * the API server's cluster traffic ({@code .ci/control-plane/start --cluster-egress-uds}), reads
 * each {@code CONNECT address:port} and joins it to a loopback port the test mapped that address
 * to; every other address is refused (403) and never dialled. So a pod whose made-up address
 * only this map knows can be reached through the API server's pod proxy, and no test traffic
 * leaves loopback.
 */
final class PodProxyEgress implements AutoCloseable {
  private static final int MAX_HEAD = 8192;

  private final Path socket;
  private final ServerSocketChannel server;
  private final Map<String, Integer> routes = new ConcurrentHashMap<>();
  /** Every CONNECT target asked for, in order, routed or refused. */
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private PodProxyEgress(Path socket) throws IOException {
    this.socket = socket;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    acceptor = new Thread(this::accept, "pod-proxy-egress");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on {@code socket} (which must not exist). */
  static PodProxyEgress listen(Path socket) {
    try {
      return new PodProxyEgress(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** CONNECTs to {@code address:port} (e.g. "10.213.0.5:9301") go to 127.0.0.1:loopbackPort. */
  void route(String addressAndPort, int loopbackPort) {
    routes.put(addressAndPort, loopbackPort);
  }

  /** The CONNECT targets the API server asked for so far. */
  List<String> asked() {
    return List.copyOf(asked);
  }

  private void accept() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        Thread handler = new Thread(() -> handle(client), "pod-proxy-egress-connection");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void handle(SocketChannel client) {
    try (client) {
      String head = readHead(client);
      String[] requestLine = head.split("\r\n", 2)[0].split(" ");
      String target = requestLine.length == 3 && requestLine[0].equals("CONNECT")
          ? requestLine[1] : "";
      asked.add(target);
      Integer port = routes.get(target);
      if (port == null) {
        client.write(ascii("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
        return;
      }
      try (SocketChannel upstream = SocketChannel.open(
          new InetSocketAddress("127.0.0.1", port))) {
        client.write(ascii("HTTP/1.1 200 Connection established\r\n\r\n"));
        Thread back = new Thread(() -> pump(upstream, client), "pod-proxy-egress-back");
        back.setDaemon(true);
        back.start();
        pump(client, upstream);
        back.join(10_000);
      }
    } catch (IOException e) {
      // a side hung up: the connection is over
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The request head, byte by byte so that nothing after it is consumed. */
  private static String readHead(SocketChannel client) throws IOException {
    StringBuilder head = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (!head.toString().endsWith("\r\n\r\n")) {
      one.clear();
      if (client.read(one) < 0 || head.length() > MAX_HEAD) {
        throw new IOException("no CONNECT head");
      }
      head.append((char) one.get(0));
    }
    return head.toString();
  }

  private static void pump(SocketChannel from, SocketChannel to) {
    ByteBuffer buffer = ByteBuffer.allocate(16384);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // the other direction ends the connection
    }
  }

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void close() {
    try {
      server.close();
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
