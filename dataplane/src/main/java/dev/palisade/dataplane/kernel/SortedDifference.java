package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableSortedSet;
import com.google.common.collect.Ordering;
import com.google.common.collect.Sets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What only one of two sets of member text holds, found by walking both once in their common
 * order. The writer compares a set of 10,000 members with its previous version at every event
 * that touches it, and testing each member of one against the other cost a binary search of
 * string comparisons apiece, the larger part of the writer's time per event.
 *
 * @param onlyBefore the members of the first set that the second lacks, in order
 * @param onlyAfter the members of the second set that the first lacks, in order
 */
record SortedDifference(List<String> onlyBefore, List<String> onlyAfter) {

  static SortedDifference of(ImmutableSortedSet<String> before,
      ImmutableSortedSet<String> after) {
    if (!isNatural(before) || !isNatural(after)) {
      return new SortedDifference(List.copyOf(Sets.difference(before, after)),
          List.copyOf(Sets.difference(after, before)));
    }
    List<String> onlyBefore = new ArrayList<>();
    List<String> onlyAfter = new ArrayList<>();
    Iterator<String> was = before.iterator();
    Iterator<String> is = after.iterator();
    String left = was.hasNext() ? was.next() : null;
    String right = is.hasNext() ? is.next() : null;
    while (left != null || right != null) {
      int order = left == null ? 1 : right == null ? -1 : left.compareTo(right);
      if (order <= 0) {
        if (order < 0) {
          onlyBefore.add(left);
        }
        left = was.hasNext() ? was.next() : null;
      }
      if (order >= 0) {
        if (order > 0) {
          onlyAfter.add(right);
        }
        right = is.hasNext() ? is.next() : null;
      }
    }
    return new SortedDifference(onlyBefore, onlyAfter);
  }

  private static boolean isNatural(ImmutableSortedSet<String> set) {
    return Ordering.natural().equals(set.comparator());
  }
}
