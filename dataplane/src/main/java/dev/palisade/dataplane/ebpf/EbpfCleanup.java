package dev.palisade.dataplane.ebpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes everything one installation pinned, and nothing else: every link under its root is
 * detached ({@code BPF_LINK_DETACH}, so the programs leave the interfaces even if another process
 * holds the link) and unpinned, then the programs and maps are unpinned (the kernel frees them
 * when the last reference goes) and the root directory removed. The bpffs, its other
 * directories and other installations' roots are not touched.
 */
public final class EbpfCleanup {
  private EbpfCleanup() {}

  /** Returns the pins it removed, links first. */
  public static List<Path> remove(Bpf bpf, PinLayout pins) {
    List<Path> removed = new ArrayList<>();
    if (!Files.exists(pins.root())) {
      return removed;
    }
    TcxLinks links = new TcxLinks(bpf, pins, null);
    for (Path pin : links.pinsOnDisk()) {
      links.remove(pin);
      removed.add(pin);
    }
    try (Stream<Path> tree = Files.walk(pins.root())) {
      for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
        boolean directory = Files.isDirectory(path);
        Files.delete(path);
        if (!directory) {
          removed.add(path);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + pins.root(), e);
    }
    return removed;
  }
}
