package dev.palisade.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * Follows one NFLOG group of a network namespace on a netlink socket of its own
 * ({@link NflogMessages} builds and reads the messages). Needs CAP_NET_ADMIN in that namespace
 * and nothing else: no tool to install, and no privilege to drop (tcpdump, the other way to
 * read NFLOG, insists on changing its user, which the agent's container cannot). Only one
 * listener can bind a group in a namespace: another {@code palisade logs}, or ulogd on the same
 * group, makes the bind fail (EPERM), which the message says.
 *
 * <p>Threads: {@link #follow} runs on one thread; {@link #close()} may come from any other and
 * ends it within {@link #POLL_SECONDS}.
 */
public final class NflogFollower implements AutoCloseable {
  /** How often a waiting {@link #follow} looks whether it was closed. */
  static final int POLL_SECONDS = 1;
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int NETLINK_NETFILTER = 12;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final int SO_RCVBUF = 8;
  private static final int RECEIVE_BUFFER = 4 << 20;
  private static final int O_RDONLY = 0;
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final int ENOBUFS = 105;
  private static final int EBUSY = 16;
  private static final int EPERM = 1;

  /** The C library calls this needs (jnr-ffi binds them at run time). */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, @In byte[] address, int length);

    int setsockopt(int fd, int level, int option, @In byte[] value, int length);

    long send(int fd, @In byte[] buffer, long length, int flags);

    long recv(int fd, @Out byte[] buffer, long length, int flags);

    int open(String path, int flags);

    int setns(int fd, int type);

    int close(int fd);
  }

  private final LibC libc;
  private final jnr.ffi.Runtime runtime;
  private final int socket;
  private final int group;
  private volatile boolean closed;
  /** Guarded by this: {@link #follow} is reading the socket, which must stay open meanwhile. */
  private boolean following;
  private boolean released;
  private long overruns;

  private NflogFollower(LibC libc, int socket, int group) {
    this.libc = libc;
    this.runtime = jnr.ffi.Runtime.getRuntime(libc);
    this.socket = socket;
    this.group = group;
  }

  /**
   * Binds NFLOG group {@code group} of network namespace {@code netns} (a name of
   * {@code ip netns}, or empty for this process's).
   *
   * @throws IOException when the namespace cannot be entered or the kernel refuses the group
   */
  public static NflogFollower start(Optional<String> netns, int group) throws IOException {
    LibC libc = LibraryLoader.create(LibC.class).load("c");
    int socket = netns.isPresent() ? socketIn(libc, netns.get()) : netlinkSocket(libc);
    NflogFollower follower = new NflogFollower(libc, socket, group);
    try {
      follower.configure();
      return follower;
    } catch (IOException e) {
      follower.close();
      throw e;
    }
  }

  /**
   * A netlink socket of namespace {@code netns}: a socket belongs to the namespace its thread
   * was in when it was created, so this thread enters the namespace for that one call and
   * returns to its own.
   */
  private static int socketIn(LibC libc, String netns) throws IOException {
    int own = libc.open("/proc/thread-self/ns/net", O_RDONLY);
    int target = libc.open("/run/netns/" + netns, O_RDONLY);
    try {
      if (own < 0 || target < 0) {
        throw failure(libc, "cannot open network namespace " + netns);
      }
      if (libc.setns(target, CLONE_NEWNET) != 0) {
        throw failure(libc, "cannot enter network namespace " + netns);
      }
      try {
        return netlinkSocket(libc);
      } finally {
        if (libc.setns(own, CLONE_NEWNET) != 0) {
          throw new IllegalStateException("cannot return to this thread's own network "
              + "namespace; errno " + jnr.ffi.Runtime.getRuntime(libc).getLastError());
        }
      }
    } finally {
      if (own >= 0) {
        libc.close(own);
      }
      if (target >= 0) {
        libc.close(target);
      }
    }
  }

  private static int netlinkSocket(LibC libc) throws IOException {
    int socket = libc.socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
    if (socket < 0) {
      throw failure(libc, "cannot open a netfilter netlink socket");
    }
    return socket;
  }

  private void configure() throws IOException {
    ByteBuffer address = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
    address.putShort((short) AF_NETLINK);
    check(libc.bind(socket, address.array(), 12), "cannot bind the netlink socket");
    setOption(SO_RCVBUF, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder())
        .putInt(RECEIVE_BUFFER).array());
    setOption(SO_RCVTIMEO, ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
        .putLong(POLL_SECONDS).putLong(0).array());
    request(NflogMessages.bind(group, 1), "listen to NFLOG group " + group);
    request(NflogMessages.copyPackets(group, 2), "copy the packets of NFLOG group " + group);
  }

  private void setOption(int option, byte[] value) throws IOException {
    check(libc.setsockopt(socket, SOL_SOCKET, option, value, value.length),
        "cannot set socket option " + option);
  }

  /** Sends one configuration request and waits for its acknowledgement. */
  private void request(byte[] message, String what) throws IOException {
    if (libc.send(socket, message, message.length, 0) != message.length) {
      throw failure(libc, "cannot " + what);
    }
    byte[] buffer = new byte[4096];
    long length = libc.recv(socket, buffer, buffer.length, 0);
    if (length < 0) {
      throw failure(libc, "no answer when asking to " + what);
    }
    NflogMessages.Received answer = NflogMessages.read(buffer, (int) length, Instant.now());
    if (answer.error().isPresent()) {
      int errno = answer.error().getAsInt();
      throw new IOException("cannot " + what + ": " + switch (errno) {
        // The kernel answers EPERM both to a second listener of a group and to a process
        // without CAP_NET_ADMIN.
        case EPERM, EBUSY -> "not permitted: another listener has the group in this network "
            + "namespace (another palisade logs, or ulogd), or this process lacks CAP_NET_ADMIN";
        default -> "errno " + errno;
      });
    }
  }

  /**
   * Hands every logged packet to {@code shown} until it answers false or {@link #close()} is
   * called. When the kernel had to drop messages because they came faster than they were read,
   * the next read goes on and {@link #overruns()} counts it.
   */
  public void follow(Predicate<NflogRecord> shown) throws IOException {
    synchronized (this) {
      if (closed) {
        return;
      }
      following = true;
    }
    try {
      read(shown);
    } finally {
      synchronized (this) {
        following = false;
        if (closed) {
          release();
        }
      }
    }
  }

  private void read(Predicate<NflogRecord> shown) throws IOException {
    byte[] buffer = new byte[1 << 17];
    while (!closed) {
      long length = libc.recv(socket, buffer, buffer.length, 0);
      if (length < 0) {
        int errno = runtime.getLastError();
        if (errno == ENOBUFS) {
          overruns++;
        } else if (errno != EAGAIN && errno != EINTR && !closed) {
          throw new IOException("reading NFLOG group " + group + " failed: errno " + errno);
        }
        continue;
      }
      for (NflogRecord record : NflogMessages.read(buffer, (int) length, Instant.now())
          .packets()) {
        if (!shown.test(record)) {
          return;
        }
      }
    }
  }

  /** How often the kernel dropped log messages that were not read in time. */
  public long overruns() {
    return overruns;
  }

  /**
   * Stops {@link #follow} (within {@link #POLL_SECONDS}); the socket is closed once nothing
   * reads it (closing it under a blocked read would let the number go to another file).
   */
  @Override
  public synchronized void close() {
    closed = true;
    if (!following) {
      release();
    }
  }

  private synchronized void release() {
    if (!released) {
      released = true;
      libc.close(socket);
    }
  }

  private void check(int result, String what) throws IOException {
    if (result != 0) {
      throw failure(libc, what);
    }
  }

  private static IOException failure(LibC libc, String what) {
    return new IOException(what + ": errno " + jnr.ffi.Runtime.getRuntime(libc).getLastError());
  }
}
