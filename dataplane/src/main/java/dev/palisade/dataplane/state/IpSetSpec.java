package dev.palisade.dataplane.state;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.model.IpFamily;

/**
 * A named ipset and its members, each written exactly as {@code ipset save} prints it
 * ({@code 10.0.1.10}, {@code 10.0.0.0/8}, {@code 10.0.1.0/24 nomatch},
 * {@code 10.0.1.10,tcp:8080}), so desired and actual members compare as text.
 */
public record IpSetSpec(String name, IpSetType type, IpFamily family,
    ImmutableSortedSet<String> members) {

  /** ipset's limit on set names is 31 characters. */
  public static final int MAX_NAME_LENGTH = 31;
  /** ipset's default {@code maxelem}: the smallest size Palisade asks for. */
  public static final int DEFAULT_MAX_ELEMENTS = 65_536;

  public IpSetSpec {
    checkArgument(name.length() <= MAX_NAME_LENGTH, "set name %s is longer than %s", name,
        MAX_NAME_LENGTH);
    members = ImmutableSortedSet.copyOf(members);
  }

  /**
   * The {@code maxelem} the set is created with: at least twice its members, rounded up to a
   * power of two, and never below ipset's default. A set without it refuses every add beyond
   * 65,536 (a {@code namespaceSelector: {}} peer in a large cluster), and would fail every
   * sync. The headroom lets the membership grow before the set has to be replaced; the
   * rounding keeps the size stable while it does.
   */
  public int maxElements() {
    long wanted = Math.max(DEFAULT_MAX_ELEMENTS, 2L * members.size());
    return (int) Math.min(1L << 30, Long.highestOneBit(wanted - 1) << 1);
  }
}
