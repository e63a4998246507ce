package dev.palisade.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the manifests of {@code -f PATH...}: files, or folders searched recursively for
 * {@code *.yaml}, {@code *.yml} and {@code *.json} (in name order, so results do not depend on
 * the file system). Each file may hold several YAML documents and List objects.
 */
public final class ManifestLoader {
  private final ManifestReader reader;

  /** A loader that refuses unknown fields (see {@link ManifestReader}). */
  public ManifestLoader() {
    this(new ManifestReader());
  }

  public ManifestLoader(ManifestReader reader) {
    this.reader = reader;
  }

  public List<Manifest> load(List<Path> paths) {
    List<Manifest> manifests = new ArrayList<>();
    for (Path path : paths) {
      for (Path file : filesAt(path)) {
        manifests.addAll(loadFile(file));
      }
    }
    return manifests;
  }

  public List<Manifest> loadFile(Path file) {
    String source = file.toString();
    List<Object> documents = YamlDocuments.parse(YamlDocuments.read(file), source);
    List<Manifest> manifests = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      String origin = documents.size() == 1 ? source : source + ", document " + (i + 1);
      manifests.addAll(reader.read(documents.get(i), origin));
    }
    return manifests;
  }

  private static List<Path> filesAt(Path path) {
    if (!Files.exists(path)) {
      throw InvalidInputException.inSource(path.toString(), "no such file or folder");
    }
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> tree = Files.walk(path)) {
      return tree.filter(Files::isRegularFile)
          .filter(ManifestLoader::isManifestFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw InvalidInputException.inSource(path.toString(), "cannot list folder: " + e);
    }
  }

  private static boolean isManifestFile(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }
}
