package dev.palisade.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.model.ObjectRef;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TruthTableTest {
  private static final ObjectRef XA = ObjectRef.of("x", "a");
  private static final ObjectRef XB = ObjectRef.of("x", "b");
  private static final ObjectRef YA = ObjectRef.of("y", "a");

  @Test
  void readsIndentedTablesAndSkipsUncheckedCells() {
    // As a "|2" block scalar keeps it: the header indented further than the rows.
    TruthTable table = TruthTable.parse("""
                x/a x/b y/a
          x/a   ?   X   .
          x/b   .   ?   X

        """);
    assertThat(table.destinations()).containsExactly(XA, XB, YA);
    assertThat(table.sources()).containsExactly(XA, XB);
    assertThat(table.expected(XA, XB)).contains(Reachability.DENIED);
    assertThat(table.expected(XA, YA)).contains(Reachability.ALLOWED);
    assertThat(table.expected(XA, XA)).isEmpty();
    assertThat(table.expected(YA, XA)).isEmpty();
    assertThat(table.cells().get(XB)).containsOnlyKeys(XA, YA);
  }

  @Test
  void aTableMayListASubsetAndTabs() {
    TruthTable table = TruthTable.parse("x/b\ny/a\tX\n");
    assertThat(table.expected(YA, XB)).contains(Reachability.DENIED);
  }

  static Stream<Arguments> invalidTables() {
    return Stream.of(
        Arguments.of("empty", "  \n\n", "the table is empty"),
        Arguments.of("too few cells", "x/a x/b\nx/a . \n", "line 2: expected a source and 2 "
            + "cells, got 1 cells"),
        Arguments.of("too many cells", "x/a\n\nx/a . X\n", "line 3: expected a source and 1 "
            + "cells, got 2 cells"),
        Arguments.of("unknown cell", "x/a x/b\nx/a . Y\n", "line 2: cell 'Y' is not one of"),
        Arguments.of("pod without namespace", "x/a b\n", "line 1: 'b' is not a pod"),
        Arguments.of("source without namespace", "x/a\na .\n", "line 2: 'a' is not a pod"),
        Arguments.of("destination twice", "x/a x/a\n", "line 1: destination x/a is listed "
            + "twice"),
        Arguments.of("source twice", "x/a\nx/a .\nx/a X\n", "line 3: source x/a is listed "
            + "twice"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidTables")
  void refusesInvalidTablesNamingTheLine(String name, String text, String message) {
    assertThatThrownBy(() -> TruthTable.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}
