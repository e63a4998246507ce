package dev.palisade.dataplane.ebpf;

import com.google.common.hash.Hashing;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the program object (built from {@code src/main/c}, a resource of this jar) and pins its
 * programs and maps, with one {@code bpftool prog loadall} process: libbpf resolves the
 * conntrack kfuncs' BTF ids and the map relocations. Three cases, by what the pin root holds:
 *
 * <ul>
 *   <li>This object's programs and the maps ({@link Load#ADOPTED}, an agent restart): nothing is
 *       loaded; the running programs and the maps' contents stay as they are, no gap.
 *   <li>The maps and another object's programs ({@link Load#UPGRADED}, a new release): the new
 *       programs are loaded onto the pinned maps, every link is switched to them with {@code
 *       BPF_LINK_UPDATE} (each packet meets the old program or the new one, never none), and
 *       the old programs are unpinned. When the new object cannot reuse the maps (their
 *       definitions changed), every pin is removed and the set loaded anew, as below: the
 *       node's pods are unenforced until the next apply has attached and filled it.
 *   <li>Nothing ({@link Load#LOADED}): the programs and maps are loaded and pinned.
 * </ul>
 * Programs live under {@code progs/<digest>}, the object's SHA-256 prefix: the build is
 * reproducible, so one source is one digest.
 */
public final class ProgramLoader {
  private static final Logger log = LoggerFactory.getLogger(ProgramLoader.class);

  /** The object's resource name, next to this class. */
  public static final String OBJECT = "palisade_tc.bpf.o";
  static final List<String> MAPS = List.of("endpoints", "identities_v4", "identities_v6",
      "verdicts", "counters");
  /** The first 16 hex digits of the object's SHA-256; "missing" in a build without it. */
  public static final String DIGEST = digest();

  /** What {@link #ensureLoaded} did. */
  public enum Load { ADOPTED, UPGRADED, LOADED }

  private final CommandRunner runner;

  public ProgramLoader(CommandRunner runner) {
    this.runner = runner;
  }

  /** Whether this object's programs and the maps are pinned under {@code pins}. */
  public static boolean loaded(PinLayout pins) {
    return Files.exists(pins.program(true)) && Files.exists(pins.program(false))
        && mapsPinned(pins);
  }

  private static boolean mapsPinned(PinLayout pins) {
    return MAPS.stream().allMatch(map -> Files.exists(pins.maps().resolve(map)));
  }

  /**
   * Adopts, upgrades or loads (see the class comment). A partial set of pins (a load that died
   * half-way, or maps without any program) is refused: cleanup first.
   */
  public Load ensureLoaded(PinLayout pins) {
    if (loaded(pins)) {
      return Load.ADOPTED;
    }
    if (mapsPinned(pins) && !otherPrograms(pins).isEmpty()) {
      try {
        upgrade(pins);
        return Load.UPGRADED;
      } catch (IllegalStateException e) {
        log.warn("the new eBPF program cannot take over the pinned maps ({}); removing every "
            + "pin and loading anew: the node's pods are not enforced until the next sync "
            + "has attached and filled them", e.getMessage());
        EbpfCleanup.remove(Bpf.load(), pins);
      }
    }
    if (Files.exists(pins.progs()) || Files.exists(pins.maps())) {
      throw new IllegalStateException("a partial Palisade program set is pinned under "
          + pins.root() + "; remove it (palisade cleanup) and start again");
    }
    Path directory = pins.program(true).getParent();
    loadAll(pins, directory, List.of("pinmaps", pins.maps().toString()));
    if (!loaded(pins)) {
      throw new IllegalStateException("bpftool loaded the program but the pins under "
          + pins.root() + " are incomplete");
    }
    return Load.LOADED;
  }

  private void upgrade(PinLayout pins) {
    Path directory = pins.program(true).getParent();
    List<String> reuse = new ArrayList<>();
    for (String map : MAPS) {
      reuse.addAll(List.of("map", "name", map, "pinned", pins.maps().resolve(map).toString()));
    }
    loadAll(pins, directory, reuse);
    Bpf bpf = Bpf.load();
    TcxLinks links = new TcxLinks(bpf, pins, null);
    List<Path> pinned = links.pinsOnDisk();
    for (Path link : pinned) {
      links.switchProgram(link);
    }
    for (Path old : otherPrograms(pins)) {
      delete(old);
    }
    log.info("upgraded the eBPF program under {} to {}: {} links switched, maps kept",
        pins.root(), DIGEST, pinned.size());
  }

  /** Entries of {@code progs/} that are not this object's: older releases' programs. */
  private static List<Path> otherPrograms(PinLayout pins) {
    if (!Files.isDirectory(pins.progs())) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(pins.progs())) {
      return entries.filter(entry -> !entry.getFileName().toString().equals(DIGEST)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void loadAll(PinLayout pins, Path directory, List<String> mapArguments) {
    Path object = extractObject();
    try {
      Files.createDirectories(directory.getParent());
      List<String> argv = new ArrayList<>(List.of("bpftool", "prog", "loadall",
          object.toString(), directory.toString(), "type", "classifier"));
      argv.addAll(mapArguments);
      CommandResult result = runner.run(argv);
      if (!result.succeeded()) {
        delete(directory);
        throw new IllegalStateException("bpftool could not load the Palisade program (exit "
            + result.exitCode() + "): " + result.stderr().strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + pins.root(), e);
    } finally {
      try {
        Files.deleteIfExists(object);
      } catch (IOException ignored) {
        // a temporary file: the next start writes another
      }
    }
  }

  private static void delete(Path tree) {
    if (!Files.exists(tree)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(tree)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpin " + tree, e);
    }
  }

  private static String digest() {
    try (InputStream in = ProgramLoader.class.getResourceAsStream(OBJECT)) {
      return in == null ? "missing"
          : Hashing.sha256().hashBytes(in.readAllBytes()).toString().substring(0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + OBJECT, e);
    }
  }

  private static Path extractObject() {
    try (InputStream in = ProgramLoader.class.getResourceAsStream(OBJECT)) {
      if (in == null) {
        throw new IllegalStateException(OBJECT + " is not in this build: the dataplane module "
            + "compiles it with clang (docs/ebpf.md)");
      }
      Path file = Files.createTempFile("palisade-tc", ".bpf.o");
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + OBJECT, e);
    }
  }
}
