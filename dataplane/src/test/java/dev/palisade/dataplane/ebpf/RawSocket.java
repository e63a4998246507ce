package dev.palisade.dataplane.ebpf;

import dev.palisade.model.IpFamily;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Predicate;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * A raw IP socket of one protocol in a namespace of the lab: it sends whole layer-4 packets
 * (the kernel adds the IP header) and sees every packet of that protocol that reaches the
 * namespace, before and whatever the stack does with it. The tests need it where no socket of
 * the protocol exists (SCTP: this kernel is built without it, {@code CONFIG_IP_SCTP} off) and to
 * tell whether a packet arrived when its answer could not come back. An open raw socket also
 * keeps the kernel from answering an unknown protocol with "protocol unreachable".
 */
final class RawSocket implements AutoCloseable {
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int SOCK_RAW = 3;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final Duration POLL = Duration.ofMillis(100);

  /** The libc socket calls; jnr-ffi binds them. */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    int setsockopt(int fd, int level, int name, byte[] value, int length);

    long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength);

    long recv(int fd, byte[] buffer, long length, int flags);

    int close(int fd);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

  private final IpFamily family;
  private final int fd;

  private RawSocket(IpFamily family, int fd) {
    this.family = family;
    this.fd = fd;
  }

  /** A raw socket of {@code protocol} (an IANA number) in the network namespace {@code netns}. */
  static RawSocket open(Bpf bpf, String netns, IpFamily family, int protocol) {
    try (NetnsThread thread = NetnsThread.enter(bpf, Optional.of(Path.of("/run/netns", netns)))) {
      int fd = thread.call(() -> {
        int opened = LIBC.socket(family == IpFamily.V4 ? AF_INET : AF_INET6, SOCK_RAW, protocol);
        if (opened < 0) {
          throw new IllegalStateException("no raw socket of protocol " + protocol + " in "
              + netns + ": " + BpfException.describe(Runtime.getRuntime(LIBC).getLastError()));
        }
        return opened;
      });
      // a receive waits at most POLL, so that receives() keeps its deadline
      byte[] timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
          .putLong(0).putLong(POLL.toNanos() / 1000).array();
      LIBC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, timeval.length);
      return new RawSocket(family, fd);
    }
  }

  /** Sends {@code packet} (layer 4: header and payload) to {@code to}. */
  void send(InetAddress to, byte[] packet) {
    byte[] address = to.getAddress();
    ByteBuffer sockaddr = ByteBuffer.allocate(family == IpFamily.V4 ? 16 : 28)
        .order(ByteOrder.nativeOrder())
        .putShort((short) (family == IpFamily.V4 ? AF_INET : AF_INET6))
        .putShort((short) 0);
    if (family == IpFamily.V6) {
      sockaddr.putInt(0); // flow info
    }
    sockaddr.put(address);
    if (LIBC.sendto(fd, packet, packet.length, 0, sockaddr.array(), sockaddr.capacity())
        != packet.length) {
      throw new IllegalStateException("sending " + packet.length + " bytes to " + to
          + " failed");
    }
  }

  /**
   * Whether a packet that {@code matches} arrives within {@code within}; packets are given as
   * layer 4 (an IPv4 socket's IP header cut off).
   */
  boolean receives(Predicate<byte[]> matches, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    byte[] buffer = new byte[65536];
    while (System.nanoTime() < deadline) {
      long length = LIBC.recv(fd, buffer, buffer.length, 0);
      if (length <= 0) {
        continue; // the poll's timeout
      }
      int start = family == IpFamily.V4 ? (buffer[0] & 0x0f) * 4 : 0;
      if (matches.test(Arrays.copyOfRange(buffer, start, (int) length))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    LIBC.close(fd);
  }
}
