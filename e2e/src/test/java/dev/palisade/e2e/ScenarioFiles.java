package dev.palisade.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The scenario files of one folder under {@code e2e/scenarios}, sorted by name. */
final class ScenarioFiles {
  private static final Path ROOT = Path.of("scenarios");

  private ScenarioFiles() {}

  /**
   * @throws IllegalStateException when the folder holds no scenario, so that a moved folder
   *     fails the suite instead of running nothing
   */
  static List<Path> in(String folder) {
    try (Stream<Path> files = Files.list(ROOT.resolve(folder))) {
      List<Path> yaml = files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
      if (yaml.isEmpty()) {
        throw new IllegalStateException("no scenario files in " + ROOT.resolve(folder));
      }
      return yaml;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + ROOT.resolve(folder), e);
    }
  }

  /** A scenario file of a folder by name. */
  static Path named(String folder, String fileName) {
    Path file = ROOT.resolve(folder).resolve(fileName);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("missing scenario file " + file);
    }
    return file;
  }
}
