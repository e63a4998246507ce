package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Ordering;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SortedJoinTest {
  private static List<String> visits(ImmutableSortedMap<String, Integer> left,
      ImmutableSortedMap<String, String> right) {
    List<String> seen = new ArrayList<>();
    SortedJoin.walk(left, right, (name, l, r) -> seen.add(name + "=" + l + "/" + r));
    return seen;
  }

  @Test
  void everyNameOfEitherMapIsVisitedOnceInOrderWithWhatEachSideHolds() {
    assertThat(visits(ImmutableSortedMap.of("PALISADE-A", 1, "PALISADE-C", 3, "PALISADE-D", 4),
        ImmutableSortedMap.of("PALISADE-B", "b", "PALISADE-C", "c", "PALISADE-E", "e")))
        .containsExactly("PALISADE-A=1/null", "PALISADE-B=null/b", "PALISADE-C=3/c",
            "PALISADE-D=4/null", "PALISADE-E=null/e");
  }

  @Test
  void anEmptySideLeavesTheOthersNamesAlone() {
    assertThat(visits(ImmutableSortedMap.of(), ImmutableSortedMap.of("x", "1", "y", "2")))
        .containsExactly("x=null/1", "y=null/2");
    assertThat(visits(ImmutableSortedMap.of("x", 1), ImmutableSortedMap.of()))
        .containsExactly("x=1/null");
    assertThat(visits(ImmutableSortedMap.of(), ImmutableSortedMap.of())).isEmpty();
  }

  @Test
  void mapsInAnotherOrderAreRefusedRatherThanWalkedWrongly() {
    ImmutableSortedMap<String, Integer> reversed =
        ImmutableSortedMap.<String, Integer>orderedBy(Ordering.natural().reverse())
            .put("a", 1).put("b", 2).build();
    assertThatThrownBy(() -> visits(reversed, ImmutableSortedMap.of("a", "1")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
