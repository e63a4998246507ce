package dev.palisade.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The two ends of {@link ConnectionRateMeasurement}, each its own JVM inside a pod's network
 * namespace. The server answers each connection with one byte and closes it; the client reads
 * that byte and closes with a reset (SO_LINGER 0), which also ends the server's half. So no
 * socket lingers in TIME_WAIT and the client's ports are free again at once: what is measured
 * is opening connections, not the kernel's bookkeeping of closed ones.
 *
 * <ul>
 *   <li>{@code server PORT}: listens on every address, prints {@value #READY} once it does, then
 *       answers connections one at a time until it is stopped.
 *   <li>{@code client ADDRESS PORT}: for each line {@code MILLIS} it reads on stdin, opens
 *       connections one after the other for that long and prints
 *       {@code CONNECTIONS FAILURES NANOS}; it ends at the end of its input. A connection counts
 *       once the server's byte arrived (so the server accepted it); one that is refused or not
 *       answered within {@value #TIMEOUT_MS} ms is a failure.
 * </ul>
 */
public final class ConnectLoop {
  static final String READY = "listening";
  private static final int TIMEOUT_MS = 2000;
  private static final int BACKLOG = 4096;
  private static final int ANSWER = 'a';

  private ConnectLoop() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 2 && args[0].equals("server")) {
      serve(Integer.parseInt(args[1]));
    } else if (args.length == 3 && args[0].equals("client")) {
      answerRounds(new InetSocketAddress(InetAddress.getByName(args[1]),
          Integer.parseInt(args[2])));
    } else {
      throw new IllegalArgumentException("usage: server PORT | client ADDRESS PORT");
    }
  }

  private static void serve(int port) throws IOException {
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(port), BACKLOG);
      System.out.println(READY);
      System.out.flush();
      while (true) {
        try (Socket connection = server.accept()) {
          connection.getOutputStream().write(ANSWER);
        } catch (IOException clientGone) {
          // the client gave up on this connection: serve the next
        }
      }
    }
  }

  private static void answerRounds(InetSocketAddress target) throws IOException {
    BufferedReader input =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = input.readLine(); line != null; line = input.readLine()) {
      long deadline = System.nanoTime() + Long.parseLong(line.strip()) * 1_000_000L;
      long connections = 0;
      long failures = 0;
      long start = System.nanoTime();
      while (System.nanoTime() < deadline) {
        if (connect(target)) {
          connections++;
        } else {
          failures++;
        }
      }
      System.out.println(connections + " " + failures + " " + (System.nanoTime() - start));
      System.out.flush();
    }
  }

  private static boolean connect(InetSocketAddress target) {
    try (Socket socket = new Socket()) {
      socket.setSoLinger(true, 0);
      socket.setSoTimeout(TIMEOUT_MS);
      socket.connect(target, TIMEOUT_MS);
      return socket.getInputStream().read() == ANSWER;
    } catch (IOException refusedOrNotAnswered) {
      return false;
    }
  }
}
