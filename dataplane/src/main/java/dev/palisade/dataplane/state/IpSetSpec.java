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

  public IpSetSpec {
    checkArgument(name.startsWith(Names.SET_PREFIX), "set %s lacks the %s prefix", name,
        Names.SET_PREFIX);
    checkArgument(name.length() <= MAX_NAME_LENGTH, "set name %s is longer than %s", name,
        MAX_NAME_LENGTH);
    members = ImmutableSortedSet.copyOf(members);
  }
}
