package dev.palisade.dataplane.state;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.model.IpFamily;

/**
 * Everything Palisade wants in the kernel for one IP family.
 *
 * @param owners by chain name, the pod or policy each pod and policy chain stands for (other
 *     chains are absent): what lets the agent tell whose packets a rule counter counts
 */
public record FamilyState(
    IpFamily family,
    ImmutableSortedMap<String, ChainSpec> chains,
    ImmutableList<HookSpec> hooks,
    ImmutableSortedMap<String, IpSetSpec> sets,
    ImmutableSortedMap<String, ChainOwner> owners) {}
