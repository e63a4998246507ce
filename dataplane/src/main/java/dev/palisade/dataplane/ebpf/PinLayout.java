package dev.palisade.dataplane.ebpf;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where one installation's objects are pinned in the bpffs: {@code <root>/progs/<digest>} (the
 * two programs of the object with that digest: {@link ProgramLoader#DIGEST}, so an agent of
 * another release, with another program, tells them apart), {@code <root>/maps}, {@code
 * <root>/links} (one tcx link per pod interface and direction). Everything under the root is Palisade's and nothing else is: cleanup removes the
 * root and leaves its parent alone. The default root is {@code /sys/fs/bpf/palisade/<instance>}
 * (the chart mounts the bpffs), so a restarted agent finds and adopts what its predecessor left.
 */
public record PinLayout(Path root) {
  public static final String FROM_POD = "palisade_from_pod";
  public static final String TO_POD = "palisade_to_pod";
  private static final Pattern INSTANCE = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");

  public PinLayout {
    root = root.toAbsolutePath().normalize();
    if (root.getNameCount() < 2) {
      throw new IllegalArgumentException("a pin root needs its own directory, not " + root);
    }
  }

  /** {@code /sys/fs/bpf/palisade/<instance>} ("default" without an instance). */
  public static PinLayout forInstance(Path bpffs, String instance) {
    if (!INSTANCE.matcher(instance).matches()) {
      throw new IllegalArgumentException("instance " + instance + " is not a lowercase name");
    }
    return new PinLayout(bpffs.resolve("palisade").resolve(instance));
  }

  public Path progs() {
    return root.resolve("progs");
  }

  public Path maps() {
    return root.resolve("maps");
  }

  public Path links() {
    return root.resolve("links");
  }

  /** The programs of this build's object. */
  public Path program(boolean fromPod) {
    return progs().resolve(ProgramLoader.DIGEST).resolve(fromPod ? FROM_POD : TO_POD);
  }

  /**
   * The pin of an interface's link: {@code links/from-pod/<ifname>} or {@code links/to-pod/...}.
   * The bpffs refuses names with a dot (EPERM), which an interface name may have (a VLAN's
   * {@code eth0.100}): a dot is written as a colon, which no interface name has.
   */
  public Path link(String interfaceName, boolean fromPod) {
    return links().resolve(fromPod ? "from-pod" : "to-pod")
        .resolve(interfaceName.replace('.', ':'));
  }

  /** The interface name a link pin stands for. */
  public static String interfaceOf(Path linkPin) {
    return linkPin.getFileName().toString().replace(':', '.');
  }
}
