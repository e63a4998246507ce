package dev.palisade.dataplane.kernel;

import com.google.common.collect.ImmutableSortedSet;
import dev.palisade.model.IpFamily;

/**
 * A Palisade ipset as the kernel holds it. The type stays the kernel's text so that a
 * {@code pal-} set of a type Palisade never creates is still recognized (and replaced).
 *
 * @param maxElements the set's {@code maxelem}: how many members it can hold
 */
public record KernelSet(String name, String type, IpFamily family, int maxElements,
    ImmutableSortedSet<String> members) {}
