package dev.palisade.dataplane.ebpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Attaches the two programs to pod interfaces as tcx links (kernel 6.6 and later), pinned under
 * {@link PinLayout#links()} so they outlive the agent and a restart adopts them. Each link is
 * created first in its interface's chain ({@code BPF_F_BEFORE}): Palisade judges before a CNI's
 * programs can redirect a packet, and its "allow" is tcx's "next", so theirs still run.
 *
 * <p>A pin whose link is attached to the interface it names (same ifindex) is kept as it is; one
 * whose interface went away (a deleted pod: the kernel leaves a defunct link, ifindex 0) or was
 * re-created under the same name (another ifindex) is detached, unpinned and created anew.
 */
public final class TcxLinks {
  private static final int LINK_INFO_SIZE = 64;

  private final Bpf bpf;
  private final PinLayout pins;
  private final NetnsThread netns;
  private long created;

  public TcxLinks(Bpf bpf, PinLayout pins, NetnsThread netns) {
    this.bpf = bpf;
    this.pins = pins;
    this.netns = netns;
  }

  /** The interface's ifindex in the namespace (what the endpoints map is keyed by). */
  public int ifindex(String interfaceName) {
    int index = netns.call(() -> bpf.libc().if_nametoindex(interfaceName));
    if (index == 0) {
      throw new IllegalArgumentException("no interface " + interfaceName);
    }
    return index;
  }

  /**
   * The ifindexes of several interfaces in one call on the namespace's thread; 0 for a name that
   * has no interface (any more).
   */
  public Map<String, Integer> ifindexes(Collection<String> interfaceNames) {
    return netns.call(() -> {
      Map<String, Integer> indexes = new HashMap<>();
      interfaceNames.forEach(name -> indexes.put(name, bpf.libc().if_nametoindex(name)));
      return indexes;
    });
  }

  /** Attaches both programs to the interface unless attached already; returns its ifindex. */
  public int attach(String interfaceName) {
    int ifindex = ifindex(interfaceName);
    for (boolean fromPod : new boolean[] {true, false}) {
      Path pin = pins.link(interfaceName, fromPod);
      if (Files.exists(pin)) {
        if (attachedIfindex(pin) == ifindex) {
          continue;
        }
        remove(pin);
      }
      int prog = bpf.objGet(pins.program(fromPod).toString());
      try {
        int link = netns.call(() -> bpf.linkCreateTcx(prog, ifindex, fromPod, Bpf.TCX_FIRST));
        try {
          Files.createDirectories(pin.getParent());
          bpf.objPin(link, pin.toString());
          created++;
        } catch (IOException e) {
          bpf.linkDetach(link);
          throw new UncheckedIOException(e);
        } finally {
          bpf.close(link);
        }
      } finally {
        bpf.close(prog);
      }
    }
    return ifindex;
  }

  /** Links this object created so far (one per interface and direction). */
  public long created() {
    return created;
  }

  /** Detaches and unpins the interface's links, if any. */
  public void detach(String interfaceName) {
    for (boolean fromPod : new boolean[] {true, false}) {
      Path pin = pins.link(interfaceName, fromPod);
      if (Files.exists(pin)) {
        remove(pin);
      }
    }
  }

  /** The interfaces with pinned links. */
  public List<String> attachedInterfaces() {
    return pinsOnDisk().stream().map(PinLayout::interfaceOf).distinct().sorted().toList();
  }

  /** The ifindex the pinned link is attached to; 0 once its interface is gone. */
  public int attachedIfindex(Path pin) {
    int link = bpf.objGet(pin.toString());
    try {
      ByteBuffer info = ByteBuffer.wrap(bpf.objInfo(link, LINK_INFO_SIZE))
          .order(ByteOrder.nativeOrder());
      return info.getInt(16); // union member tcx: {u32 ifindex; u32 attach_type}
    } finally {
      bpf.close(link);
    }
  }

  /**
   * Switches a pinned link to this build's program of its direction ({@link
   * Bpf#linkUpdate}): an upgrade without a moment unenforced.
   */
  void switchProgram(Path linkPin) {
    boolean fromPod = linkPin.getParent().getFileName().toString().equals("from-pod");
    int link = bpf.objGet(linkPin.toString());
    try {
      int prog = bpf.objGet(pins.program(fromPod).toString());
      try {
        bpf.linkUpdate(link, prog);
      } finally {
        bpf.close(prog);
      }
    } finally {
      bpf.close(link);
    }
  }

  /** Detaches the pinned link (at once, whoever holds it) and removes the pin. */
  void remove(Path pin) {
    int link = bpf.objGet(pin.toString());
    try {
      bpf.linkDetach(link);
    } catch (BpfException alreadyDefunct) {
      // its interface is gone: nothing is attached any more
    } finally {
      bpf.close(link);
    }
    try {
      Files.delete(pin);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpin " + pin, e);
    }
  }

  /** Every link pin, for cleanup. */
  List<Path> pinsOnDisk() {
    if (!Files.isDirectory(pins.links())) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(pins.links())) {
      return new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
