package dev.palisade.dataplane.ebpf;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * One thread that lives in a network namespace, for the calls that resolve names and indexes
 * in the caller's namespace ({@code if_nametoindex}, {@code BPF_LINK_CREATE}'s ifindex). The
 * thread enters the namespace with {@code setns(2)} once (a network namespace may be entered by
 * one thread of a multithreaded process) and never leaves; no other thread of the JVM moves. No
 * namespace path: the thread stays in the process's own (the agent on its node). Mount and
 * filesystem views are the process's, so bpffs pins stay visible (unlike {@code ip netns exec},
 * which mounts a fresh sysfs).
 */
public final class NetnsThread implements AutoCloseable {
  private static final int CLONE_NEWNET = 0x40000000;

  private final ExecutorService thread;

  private NetnsThread(ExecutorService thread) {
    this.thread = thread;
  }

  /** A thread in the namespace at {@code netns} (e.g. /run/netns/NAME), or in this process's. */
  public static NetnsThread enter(Bpf bpf, Optional<Path> netns) {
    ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
      Thread t = new Thread(runnable, "palisade-netns-" + netns.map(Path::toString).orElse("own"));
      t.setDaemon(true);
      return t;
    });
    NetnsThread result = new NetnsThread(thread);
    if (netns.isPresent()) {
      try {
        result.call(() -> {
          POSIX posix = POSIXFactory.getNativePOSIX();
          int fd = posix.open(netns.get().toString(), jnr.constants.platform.OpenFlags.O_RDONLY
              .intValue(), 0);
          if (fd < 0) {
            throw new IllegalStateException("cannot open network namespace " + netns.get()
                + ": errno " + posix.errno());
          }
          try {
            if (bpf.libc().setns(fd, CLONE_NEWNET) != 0) {
              throw new IllegalStateException("setns into " + netns.get() + " failed: "
                  + BpfException.describe(bpf.lastErrno()));
            }
          } finally {
            posix.close(fd);
          }
          return null;
        });
      } catch (RuntimeException e) {
        result.close();
        throw e;
      }
    }
    return result;
  }

  /** Runs {@code work} on the namespace's thread and returns its result; its exception rethrown. */
  public <T> T call(Callable<T> work) {
    try {
      return thread.submit(work).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
