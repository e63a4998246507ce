package dev.palisade.dataplane.backend;

import com.google.common.collect.ImmutableSortedMap;

/**
 * One gauge of what a compiled state holds in the kernel, e.g. {@code palisade.rules} with
 * {@code family=ipv4}, or {@code palisade.map.entries} with {@code map=verdicts}.
 */
public record Footprint(String metric, ImmutableSortedMap<String, String> tags, long value) {
  public static Footprint of(String metric, String tag, String tagValue, long value) {
    return new Footprint(metric, ImmutableSortedMap.of(tag, tagValue), value);
  }
}
