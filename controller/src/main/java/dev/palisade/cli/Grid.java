package dev.palisade.cli;

import com.google.common.base.Strings;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * A truth table as text: destinations across, sources down, one character per cell; an end is
 * written as its {@code toString} (a pod's namespace/name, or an address).
 */
final class Grid {
  private Grid() {}

  static <S, D> String render(List<S> sources, List<D> destinations,
      BiFunction<S, D, Character> cell, String indent) {
    int width = Stream.concat(sources.stream(), destinations.stream())
        .mapToInt(end -> end.toString().length()).max().orElse(1);
    StringBuilder header = new StringBuilder(indent).append(Strings.repeat(" ", width));
    for (D destination : destinations) {
      header.append(' ').append(Strings.padEnd(destination.toString(), width, ' '));
    }
    // no trailing blanks on any line: the last column's name is often shorter than the width
    StringBuilder text = new StringBuilder(header.toString().stripTrailing()).append('\n');
    for (S source : sources) {
      StringBuilder line = new StringBuilder(indent)
          .append(Strings.padEnd(source.toString(), width, ' '));
      for (D destination : destinations) {
        line.append(' ').append(Strings.padEnd(String.valueOf(cell.apply(source, destination)),
            width, ' '));
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }
}
