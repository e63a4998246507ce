package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.palisade.model.ObjectRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A probe's expected reachability as the scenario writes it: the first line lists destinations,
 * each further line a source and one cell per destination ({@code .} allowed, {@code X} denied,
 * {@code ?} not checked). Lines may be indented (a {@code |2} block scalar keeps the header's
 * indentation), so each line is trimmed before it is split on whitespace.
 *
 * @param cells the checked cells only, by source then destination
 */
public record TruthTable(
    ImmutableList<ObjectRef> sources,
    ImmutableList<ObjectRef> destinations,
    ImmutableMap<ObjectRef, ImmutableMap<ObjectRef, Reachability>> cells) {

  public static final char UNCHECKED = '?';

  /**
   * @throws IllegalArgumentException naming the line and what is wrong with it
   */
  public static TruthTable parse(String text) {
    List<String[]> lines = new ArrayList<>();
    List<Integer> lineNumbers = new ArrayList<>();
    String[] rawLines = text.split("\\R");
    for (int i = 0; i < rawLines.length; i++) {
      String line = rawLines[i].strip();
      if (!line.isEmpty()) {
        lines.add(line.split("\\s+"));
        lineNumbers.add(i + 1);
      }
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("the table is empty");
    }
    List<ObjectRef> destinations = refs(lines.get(0), lineNumbers.get(0));
    Set<ObjectRef> sources = new LinkedHashSet<>();
    Map<ObjectRef, ImmutableMap<ObjectRef, Reachability>> cells = new LinkedHashMap<>();
    for (int row = 1; row < lines.size(); row++) {
      String[] words = lines.get(row);
      int lineNumber = lineNumbers.get(row);
      if (words.length != destinations.size() + 1) {
        throw new IllegalArgumentException("line " + lineNumber + ": expected a source and "
            + destinations.size() + " cells, got " + (words.length - 1) + " cells");
      }
      ObjectRef source = ref(words[0], lineNumber);
      if (!sources.add(source)) {
        throw new IllegalArgumentException("line " + lineNumber + ": source " + source
            + " is listed twice");
      }
      Map<ObjectRef, Reachability> checked = new LinkedHashMap<>();
      for (int column = 0; column < destinations.size(); column++) {
        ObjectRef destination = destinations.get(column);
        cell(words[column + 1], lineNumber).ifPresent(value -> checked.put(destination, value));
      }
      cells.put(source, ImmutableMap.copyOf(checked));
    }
    return new TruthTable(ImmutableList.copyOf(sources), ImmutableList.copyOf(destinations),
        ImmutableMap.copyOf(cells));
  }

  /** The expectation for one pair, or empty when the table does not check it. */
  public Optional<Reachability> expected(ObjectRef source, ObjectRef destination) {
    Map<ObjectRef, Reachability> row = cells.get(source);
    return Optional.ofNullable(row == null ? null : row.get(destination));
  }

  private static List<ObjectRef> refs(String[] words, int lineNumber) {
    Set<ObjectRef> refs = new LinkedHashSet<>();
    for (String word : words) {
      ObjectRef ref = ref(word, lineNumber);
      if (!refs.add(ref)) {
        throw new IllegalArgumentException("line " + lineNumber + ": destination " + ref
            + " is listed twice");
      }
    }
    return List.copyOf(refs);
  }

  private static ObjectRef ref(String word, int lineNumber) {
    try {
      return ObjectRef.parse(word);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("line " + lineNumber + ": '" + word
          + "' is not a pod (write namespace/pod)");
    }
  }

  private static Optional<Reachability> cell(String word, int lineNumber) {
    return switch (word) {
      case "." -> Optional.of(Reachability.ALLOWED);
      case "X" -> Optional.of(Reachability.DENIED);
      case "?" -> Optional.empty();
      default -> throw new IllegalArgumentException("line " + lineNumber + ": cell '" + word
          + "' is not one of . (allowed), X (denied) or ? (not checked)");
    };
  }
}
