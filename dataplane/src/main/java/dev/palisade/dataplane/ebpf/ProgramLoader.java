package dev.palisade.dataplane.ebpf;

import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.dataplane.kernel.CommandRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Loads the program object (built from {@code src/main/c}, a resource of this jar) and pins its
 * programs and maps, with one {@code bpftool prog loadall} process: libbpf resolves the
 * conntrack kfuncs' BTF ids and the map relocations. When both programs and the maps are pinned
 * already (an agent restart), nothing is loaded: the running programs and the maps' contents
 * are adopted as they are, so enforcement has no gap.
 */
public final class ProgramLoader {
  /** The object's resource name, next to this class. */
  public static final String OBJECT = "palisade_tc.bpf.o";
  static final List<String> MAPS = List.of("endpoints", "identities_v4", "identities_v6",
      "verdicts", "counters");

  private final CommandRunner runner;

  public ProgramLoader(CommandRunner runner) {
    this.runner = runner;
  }

  /** Whether the programs and maps are pinned under {@code pins}. */
  public static boolean loaded(PinLayout pins) {
    return Files.exists(pins.program(true)) && Files.exists(pins.program(false))
        && MAPS.stream().allMatch(map -> Files.exists(pins.maps().resolve(map)));
  }

  /**
   * Loads and pins unless pinned already; returns true when it loaded. A partial set of pins (a
   * load that died half-way) is refused: cleanup first.
   */
  public boolean ensureLoaded(PinLayout pins) {
    if (loaded(pins)) {
      return false;
    }
    if (Files.exists(pins.progs()) || Files.exists(pins.maps())) {
      throw new IllegalStateException("a partial Palisade program set is pinned under "
          + pins.root() + "; remove it (palisade cleanup) and start again");
    }
    Path object = extractObject();
    try {
      Files.createDirectories(pins.root());
      CommandResult result = runner.run(List.of("bpftool", "prog", "loadall", object.toString(),
          pins.progs().toString(), "type", "classifier", "pinmaps", pins.maps().toString()));
      if (!result.succeeded()) {
        throw new IllegalStateException("bpftool could not load the Palisade program (exit "
            + result.exitCode() + "): " + result.stderr().strip());
      }
      if (!loaded(pins)) {
        throw new IllegalStateException("bpftool loaded the program but the pins under "
            + pins.root() + " are incomplete");
      }
      return true;
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
