package dev.palisade.cli;

import com.google.common.base.Strings;
import dev.palisade.model.ObjectRef;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/** A truth table as text: destinations across, sources down, one character per cell. */
final class Grid {
  private Grid() {}

  static String render(List<ObjectRef> sources, List<ObjectRef> destinations,
      BiFunction<ObjectRef, ObjectRef, Character> cell, String indent) {
    int width = Stream.concat(sources.stream(), destinations.stream())
        .mapToInt(ref -> ref.toString().length()).max().orElse(1);
    StringBuilder text = new StringBuilder(indent).append(Strings.repeat(" ", width));
    for (ObjectRef destination : destinations) {
      text.append(' ').append(Strings.padEnd(destination.toString(), width, ' '));
    }
    text.append('\n');
    for (ObjectRef source : sources) {
      StringBuilder line = new StringBuilder(indent)
          .append(Strings.padEnd(source.toString(), width, ' '));
      for (ObjectRef destination : destinations) {
        line.append(' ').append(Strings.padEnd(String.valueOf(cell.apply(source, destination)),
            width, ' '));
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }
}
