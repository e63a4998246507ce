package dev.palisade.dataplane.state;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.IpFamily;

/** Everything Palisade wants in the kernel for one IP family. */
public record FamilyState(
    IpFamily family,
    ImmutableSortedMap<String, ChainSpec> chains,
    ImmutableList<HookSpec> hooks,
    ImmutableSortedMap<String, IpSetSpec> sets) {}
