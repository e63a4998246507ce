package dev.palisade.dataplane.ebpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the eBPF backend needs from the machine, checked before anything is loaded: the backend
 * refuses to start with a message naming each missing requirement (and never falls back to
 * enforcing nothing).
 *
 * <ul>
 *   <li>kernel 6.6 or later (tcx links);
 *   <li>kernel BTF, {@code /sys/kernel/btf/vmlinux} (libbpf resolves the kfuncs with it);
 *   <li>the conntrack kfunc {@code bpf_skb_ct_lookup} (nf_conntrack built in or loaded);
 *   <li>a bpffs mounted at or above the pin root;
 *   <li>CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN.
 * </ul>
 *
 * The inputs are files, read by {@link #check(Path)}; {@link #missing} is pure for tests.
 */
public final class EbpfRequirements {
  private static final int CAP_NET_ADMIN = 12;
  private static final int CAP_SYS_ADMIN = 21;
  private static final int CAP_BPF = 39;
  private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

  /** What the machine offers, as read from its files. */
  public record Machine(String kernelRelease, boolean btf, boolean conntrackKfunc,
      String mountInfo, String procStatus) {}

  private EbpfRequirements() {}

  /** Throws, naming every missing requirement, unless this machine can run the backend. */
  public static void check(Path pinRoot) {
    List<String> missing = missing(read(), pinRoot);
    if (!missing.isEmpty()) {
      throw new IllegalStateException("the eBPF backend cannot run here: "
          + String.join("; ", missing) + " (use --backend=iptables, or see docs/ebpf.md)");
    }
  }

  static Machine read() {
    try {
      return new Machine(System.getProperty("os.version"),
          Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), hasKfunc(),
          Files.readString(Path.of("/proc/self/mountinfo")),
          Files.readString(Path.of("/proc/self/status")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read what the kernel offers", e);
    }
  }

  private static boolean hasKfunc() throws IOException {
    try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
      return lines.anyMatch(line -> line.endsWith(" bpf_skb_ct_lookup")
          || line.contains(" bpf_skb_ct_lookup\t"));
    }
  }

  static List<String> missing(Machine machine, Path pinRoot) {
    List<String> missing = new ArrayList<>();
    Matcher version = VERSION.matcher(machine.kernelRelease());
    if (!version.find() || Integer.parseInt(version.group(1)) * 1000
        + Integer.parseInt(version.group(2)) < 6006) {
      missing.add("kernel 6.6 or later for tcx links (this is " + machine.kernelRelease() + ")");
    }
    if (!machine.btf()) {
      missing.add("kernel BTF at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)");
    }
    if (!machine.conntrackKfunc()) {
      missing.add("the conntrack kfunc bpf_skb_ct_lookup (load nf_conntrack; needs "
          + "CONFIG_NF_CONNTRACK and BTF)");
    }
    if (!"bpf".equals(fileSystemAt(machine.mountInfo(), pinRoot))) {
      missing.add("a bpffs mounted at or above " + pinRoot
          + " (mount -t bpf bpf /sys/fs/bpf; the chart mounts it)");
    }
    long capabilities = effectiveCapabilities(machine.procStatus());
    if ((capabilities & (1L << CAP_BPF)) == 0 && (capabilities & (1L << CAP_SYS_ADMIN)) == 0) {
      missing.add("CAP_BPF (or CAP_SYS_ADMIN)");
    }
    if ((capabilities & (1L << CAP_NET_ADMIN)) == 0) {
      missing.add("CAP_NET_ADMIN");
    }
    return missing;
  }

  /** The file system type of the mount that holds {@code path} (longest mount point prefix). */
  static String fileSystemAt(String mountInfo, Path path) {
    Path target = path.toAbsolutePath().normalize();
    String best = null;
    int bestLength = -1;
    for (String line : mountInfo.split("\n")) {
      String[] halves = line.split(" - ", 2);
      String[] fields = halves[0].split(" ");
      if (halves.length < 2 || fields.length < 5) {
        continue;
      }
      Path mountPoint = Path.of(fields[4].replace("\\040", " "));
      if (target.startsWith(mountPoint) && mountPoint.getNameCount() >= bestLength) {
        bestLength = mountPoint.getNameCount();
        best = halves[1].split(" ")[0];
      }
    }
    return best;
  }

  static long effectiveCapabilities(String procStatus) {
    for (String line : procStatus.split("\n")) {
      if (line.startsWith("CapEff:")) {
        return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
      }
    }
    return 0;
  }
}
