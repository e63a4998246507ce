package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedSet;
import com.google.common.collect.Sets;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SortedDifferenceTest {
  @Test
  void findsWhatOnlyEachSideHoldsInOrder() {
    SortedDifference difference = SortedDifference.of(
        ImmutableSortedSet.of("10.0.0.1", "10.0.0.2", "10.0.0.9"),
        ImmutableSortedSet.of("10.0.0.0", "10.0.0.2", "10.0.0.3", "10.0.0.4"));

    assertThat(difference.onlyBefore()).containsExactly("10.0.0.1", "10.0.0.9");
    assertThat(difference.onlyAfter()).containsExactly("10.0.0.0", "10.0.0.3", "10.0.0.4");
  }

  @Test
  void agreesWithSetDifferenceOnRandomSets() {
    Random random = new Random(20261202);
    for (int run = 0; run < 500; run++) {
      ImmutableSortedSet<String> before = randomSet(random);
      ImmutableSortedSet<String> after = randomSet(random);

      SortedDifference difference = SortedDifference.of(before, after);

      assertThat(difference.onlyBefore()).containsExactlyElementsOf(
          Sets.difference(before, after));
      assertThat(difference.onlyAfter()).containsExactlyElementsOf(
          Sets.difference(after, before));
    }
  }

  /** Sets in another order cannot be walked together: the answer is the same anyway. */
  @Test
  void setsInAnotherOrderAreComparedMemberByMember() {
    ImmutableSortedSet<String> reversed = ImmutableSortedSet
        .orderedBy(Comparator.<String>reverseOrder()).add("a", "b", "c").build();

    SortedDifference difference = SortedDifference.of(reversed, ImmutableSortedSet.of("b", "d"));

    assertThat(difference.onlyBefore()).containsExactlyInAnyOrder("a", "c");
    assertThat(difference.onlyAfter()).containsExactly("d");
  }

  private static ImmutableSortedSet<String> randomSet(Random random) {
    List<String> members = IntStream.range(0, random.nextInt(40))
        .mapToObj(i -> "10.0." + random.nextInt(3) + "." + random.nextInt(20)).toList();
    return ImmutableSortedSet.copyOf(members);
  }
}
