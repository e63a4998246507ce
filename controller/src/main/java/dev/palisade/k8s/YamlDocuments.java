package dev.palisade.k8s;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Splits YAML (or JSON, a subset of it) into its documents with the YAML 1.2 loader that
 * fabric8's own {@code KubernetesSerialization} uses, so that {@code y} stays a string and a
 * manifest reads here as it reads in the client.
 */
public final class YamlDocuments {
  /** SnakeYAML's default buffer size. */
  private static final int MIN_BUFFER = 1024;

  private YamlDocuments() {}

  /**
   * The text of a YAML (or JSON) file, which must be UTF-8, as Kubernetes manifests are.
   *
   * @throws InvalidInputException naming the file when it is missing, unreadable or not text
   */
  public static String read(Path file) {
    String source = file.toString();
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw InvalidInputException.inSource(source, "not UTF-8 text (a binary file?); manifests "
          + "and scenarios are YAML or JSON in UTF-8");
    } catch (NoSuchFileException e) {
      throw InvalidInputException.inSource(source, "no such file");
    } catch (AccessDeniedException e) {
      throw InvalidInputException.inSource(source, "permission denied");
    } catch (IOException e) {
      throw InvalidInputException.inSource(source, "cannot read: " + e.getMessage());
    }
  }

  /**
   * The documents of {@code text}, each a map, list, scalar or null (an empty document).
   *
   * @throws InvalidInputException naming {@code source} and the document that does not parse
   */
  public static List<Object> parse(String text, String source) {
    List<Object> documents = new ArrayList<>();
    Load load = new Load(LoadSettings.builder()
        .setLabel(source)
        // The default refuses a document over 3 MiB; `kubectl get pods -A -o yaml` of a real
        // cluster is tens of MB. The input is in memory already, so no limit protects anything.
        .setCodePointLimit(Integer.MAX_VALUE)
        // The reader's window must hold a whole scalar before the scanner takes it, and it
        // grows by one buffer at a time, copying itself each time: quadratic in the scalar's
        // length with the default 1 KiB buffer (an 8 MB scalar took 43 s). A buffer of the
        // whole text fills the window in one read.
        .setBufferSize(Math.max(text.length(), MIN_BUFFER))
        .build());
    try {
      for (Object document : load.loadAllFromString(text)) {
        documents.add(document);
      }
    } catch (YamlEngineException e) {
      throw InvalidInputException.inSource(source, "document " + (documents.size() + 1)
          + " is not valid YAML: " + oneLine(e.getMessage()));
    }
    return documents;
  }

  /** The loader's message spans several lines with a caret drawing; keep the words. */
  private static String oneLine(String message) {
    List<String> lines = new ArrayList<>();
    for (String line : message.split("\n")) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty() && !trimmed.chars().allMatch(ch -> ch == '^')) {
        lines.add(trimmed);
      }
    }
    return String.join(" ", lines);
  }
}
