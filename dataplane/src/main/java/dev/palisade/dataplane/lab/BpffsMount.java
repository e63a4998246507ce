package dev.palisade.dataplane.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bpffs of a test's or demo's own, mounted at {@code /tmp/palisade-bpffs-<pid>-<random>} (a
 * machine may have none at /sys/fs/bpf, and tests must not touch one that is there). Closing
 * unmounts it, which frees every pin left in it (a pinned tcx link with no other holder is
 * detached), and removes the directory; a later run unmounts what a killed JVM left (by pid).
 */
public final class BpffsMount implements AutoCloseable {
  private static final String PREFIX = "palisade-bpffs-";
  private final Shell shell = new Shell();
  private final Path path;

  private BpffsMount(Path path) {
    this.path = path;
  }

  public static BpffsMount mount() {
    sweepLeftovers();
    Path path = Path.of("/tmp", PREFIX + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 6));
    try {
      Files.createDirectory(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    BpffsMount mount = new BpffsMount(path);
    try {
      mount.shell.run("mount", "-t", "bpf", "bpf", path.toString());
    } catch (RuntimeException e) {
      mount.close();
      throw e;
    }
    return mount;
  }

  public Path path() {
    return path;
  }

  @Override
  public void close() {
    shell.tryRun("umount", path.toString());
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + path + " (still mounted?)", e);
    }
  }

  private static void sweepLeftovers() {
    Pattern ours = Pattern.compile(" (/tmp/" + PREFIX + "(\\d+)-[0-9a-f]+) ");
    Shell shell = new Shell();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        Matcher matcher = ours.matcher(line);
        if (matcher.find() && ProcessHandle.of(Long.parseLong(matcher.group(2))).isEmpty()) {
          shell.tryRun("umount", matcher.group(1));
          Files.deleteIfExists(Path.of(matcher.group(1)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
