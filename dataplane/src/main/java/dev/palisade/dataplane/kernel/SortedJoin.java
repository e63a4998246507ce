package dev.palisade.dataplane.kernel;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Ordering;
import java.util.Iterator;
import java.util.Map;

/**
 * Walks two maps keyed by name (the desired chains or sets and the kernel's) at once, in their
 * common order, and hands each name to a visitor with the value each side holds. At 10,000 pods
 * a node has about 550 chains and 250 sets, mostly unchanged; looking each name up in the other
 * map cost a binary search of string comparisons apiece (names share long prefixes such as
 * {@code PALISADE-PI-}), which made up most of the writer's diff of a local pod's event. A walk
 * compares each name once, and the same string object not at all.
 */
final class SortedJoin {
  private SortedJoin() {}

  /** Gets every name of either map once, in order. */
  interface Visitor<A, B> {
    /**
     * @param left the first map's value, or null when only the second holds the name
     * @param right the second map's value, or null when only the first holds the name
     */
    void visit(String name, A left, B right);
  }

  /** @throws IllegalArgumentException if a map is not in the natural order of its names */
  static <A, B> void walk(ImmutableSortedMap<String, A> left,
      ImmutableSortedMap<String, B> right, Visitor<A, B> visitor) {
    checkArgument(isNatural(left) && isNatural(right), "both maps must be in natural order");
    Iterator<Map.Entry<String, A>> lefts = left.entrySet().iterator();
    Iterator<Map.Entry<String, B>> rights = right.entrySet().iterator();
    Map.Entry<String, A> l = lefts.hasNext() ? lefts.next() : null;
    Map.Entry<String, B> r = rights.hasNext() ? rights.next() : null;
    while (l != null || r != null) {
      int order = l == null ? 1 : r == null ? -1 : compare(l.getKey(), r.getKey());
      if (order == 0) {
        visitor.visit(l.getKey(), l.getValue(), r.getValue());
      } else if (order < 0) {
        visitor.visit(l.getKey(), l.getValue(), null);
      } else {
        visitor.visit(r.getKey(), null, r.getValue());
      }
      if (order <= 0) {
        l = lefts.hasNext() ? lefts.next() : null;
      }
      if (order >= 0) {
        r = rights.hasNext() ? rights.next() : null;
      }
    }
  }

  private static int compare(String a, String b) {
    return a == b ? 0 : a.compareTo(b);
  }

  private static boolean isNatural(ImmutableSortedMap<String, ?> map) {
    return Ordering.natural().equals(map.comparator());
  }
}
